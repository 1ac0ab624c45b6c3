package dev.signedmail.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.mail.smime.SMIMESigned;

/**
 * Checks with verifiers that are not our signer: Bouncy Castle's CMS verification with a PKIX
 * path to the demo CA, OpenSSL and Debian's python3-dkim as separate processes.
 */
public final class Verifiers {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private Verifiers() {
    }

    public record Result(int exitCode, String output) {
    }

    /** Runs a process with a time limit; stdout and stderr together. */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("proc", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static final String PY_VERIFY = String.join("\n",
            "import sys, dkim",
            "msg = open(sys.argv[1], 'rb').read()",
            "record = open(sys.argv[2], 'rb').read().strip()",
            "def dns(name, timeout=5):",
            "    return record",
            "idx = int(sys.argv[3]) if len(sys.argv) > 3 else 0",
            "try:",
            "    ok = dkim.DKIM(msg).verify(idx=idx, dnsfunc=dns)",
            "except dkim.DKIMException as e:",
            "    print('reason:', e)",
            "    ok = False",
            "print('RESULT', ok)",
            "");

    /** Verifies {@code message} with Debian's python3-dkim, with {@code dnsRecord} as the only DNS answer. */
    public static boolean pythonDkimVerify(byte[] message, String dnsRecord) throws IOException, InterruptedException {
        return pythonDkimVerify(message, dnsRecord, 0);
    }

    /**
     * Verifies the {@code index}-th DKIM-Signature (0 = topmost) of {@code message} with python3-dkim
     * (ed25519 needs python3-nacl), with {@code dnsRecord} as the only DNS answer.
     */
    public static boolean pythonDkimVerify(byte[] message, String dnsRecord, int index) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dkimpy");
        try {
            Path script = Files.writeString(dir.resolve("verify.py"), PY_VERIFY);
            Path msg = Files.write(dir.resolve("msg.eml"), message);
            Path dns = Files.writeString(dir.resolve("dns.txt"), dnsRecord);
            Result r = run(List.of("/usr/bin/python3", script.toString(), msg.toString(), dns.toString(), Integer.toString(index)));
            List<String> lines = r.output().lines().filter(l -> l.startsWith("RESULT ")).toList();
            assertTrue(r.exitCode() == 0 && lines.size() == 1,
                    "python3 dkim failed (apt-get install python3-dkim python3-nacl): " + r.output());
            return lines.get(0).equals("RESULT True");
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** {@code openssl cms -verify -purpose smimesign} against {@code caPem}. */
    public static Result opensslVerify(Path eml, Path caPem) throws IOException, InterruptedException {
        return run(List.of("openssl", "cms", "-verify", "-CAfile", caPem.toString(), "-purpose", "smimesign",
                "-in", eml.toString(), "-out", "/dev/null"));
    }

    public static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    public static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    /**
     * Verifies the one S/MIME signature of a multipart/signed message with Bouncy Castle and builds
     * its certificate path to {@code ca} from the certificates in the message; returns the signer.
     */
    public static X509Certificate smimeSigner(SMIMESigned signed, X509Certificate ca) throws Exception {
        var signers = signed.getSignerInfos().getSigners();
        assertEquals(1, signers.size());
        SignerInformation signer = signers.iterator().next();
        @SuppressWarnings("unchecked")
        var match = signed.getCertificates().getMatches(signer.getSID());
        assertEquals(1, match.size());
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter().setProvider(BC);
        X509Certificate cert = conv.getCertificate((X509CertificateHolder) match.iterator().next());
        assertTrue(signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(cert)), "S/MIME signature");
        List<X509Certificate> all = new ArrayList<>();
        for (Object h : signed.getCertificates().getMatches(null)) {
            all.add(conv.getCertificate((X509CertificateHolder) h));
        }
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(cert);
        PKIXBuilderParameters params = new PKIXBuilderParameters(Set.of(new TrustAnchor(ca, null)), target);
        params.setRevocationEnabled(false);
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(all)));
        PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
        assertEquals(ca, result.getTrustAnchor().getTrustedCert());
        return cert;
    }

    public static SMIMESigned smime(byte[] message) throws Exception {
        return new SMIMESigned((MimeMultipart) parse(message).getContent());
    }

    /** Whether the certificate names {@code address} as an rfc822Name subjectAltName. */
    public static boolean namesAddress(X509Certificate cert, String address) throws Exception {
        var sans = cert.getSubjectAlternativeNames();
        return sans != null && sans.stream()
                .anyMatch(san -> Integer.valueOf(1).equals(san.get(0)) && address.equalsIgnoreCase((String) san.get(1)));
    }
}
