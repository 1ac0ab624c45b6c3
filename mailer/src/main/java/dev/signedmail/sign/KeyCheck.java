package dev.signedmail.sign;

import dev.signedmail.verify.KeyRecords;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The key pre-flight ({@code keys check}, and before every send): everything about the signing keys
 * that would make subscribers' programs reject our mail, found before the first message leaves.
 *
 * <p>Each finding is one line an operator can act on. {@link Level#REFUSE} stops a send (expired or
 * wrong certificate, incomplete chain, weak algorithm, a DKIM record that does not match the key);
 * {@link Level#WARN} does not (a certificate expiring soon, a DNS server that did not answer, a
 * 1024-bit DKIM key that receivers still accept but should be replaced).
 */
public final class KeyCheck {
    public enum Level { OK, WARN, REFUSE }

    public record Finding(Level level, String message) {
        @Override
        public String toString() {
            return switch (level) {
                case OK -> "ok: ";
                case WARN -> "warning: ";
                case REFUSE -> "REFUSED: ";
            } + message;
        }
    }

    private final List<Finding> findings = new ArrayList<>();

    private KeyCheck() {
    }

    /**
     * @param caFile PEM file with the root (and possibly intermediates) the certificate must chain
     *     to, or null to skip the chain check
     * @param dns where to read the DKIM records, or null to skip the DNS check
     */
    public static List<Finding> run(SmimeKey smime, String fromAddress, Path caFile, List<DkimKey> dkim, KeyRecords dns,
                                    Instant now, int warnDays) {
        KeyCheck c = new KeyCheck();
        c.certificate(smime, fromAddress, now, warnDays);
        if (caFile != null) {
            c.chain(smime, caFile, now);
        }
        for (DkimKey k : dkim) {
            c.dkimKey(k);
            if (dns != null) {
                c.dnsRecord(k, dns);
            }
        }
        return List.copyOf(c.findings);
    }

    public static boolean refused(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.level() == Level.REFUSE);
    }

    private void add(Level level, String message) {
        findings.add(new Finding(level, message));
    }

    private void certificate(SmimeKey key, String from, Instant now, int warnDays) {
        X509Certificate cert = key.certificate();
        String where = "S/MIME certificate (" + key.origin() + ")";
        try {
            SignerCertificateCheck.check(cert, from, now, key.origin());
            add(Level.OK, where + " names " + from + ", allows e-mail protection and is valid until " + cert.getNotAfter().toInstant());
        } catch (dev.signedmail.Problem p) {
            add(Level.REFUSE, p.getMessage());
        }
        Instant notAfter = cert.getNotAfter().toInstant();
        long daysLeft = Duration.between(now, notAfter).toDays();
        if (now.isBefore(notAfter) && daysLeft < warnDays) {
            add(Level.WARN, where + " expires in " + daysLeft + " day(s), on " + notAfter
                    + ": order the renewal now (sending stops when it expires)");
        }
        if (cert.getPublicKey() instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
            add(Level.REFUSE, where + " has a " + rsa.getModulus().bitLength() + "-bit RSA key: get a certificate for a 2048-bit"
                    + " (or larger) key");
        }
        for (X509Certificate c : key.chain()) {
            String alg = c.getSigAlgName().toUpperCase(Locale.ROOT);
            if (alg.contains("SHA1") || alg.contains("MD5") || alg.contains("MD2")) {
                add(Level.REFUSE, "certificate " + c.getSubjectX500Principal().getName() + " in " + key.origin() + " is signed with "
                        + c.getSigAlgName() + ", which mail programs reject: ask the CA for a SHA-256 certificate");
            }
        }
    }

    private void chain(SmimeKey key, Path caFile, Instant now) {
        List<X509Certificate> ca;
        try {
            ca = readCertificates(caFile);
        } catch (IOException | GeneralSecurityException e) {
            add(Level.REFUSE, "CA file " + caFile + " (smime.ca.file) cannot be read as PEM certificates: " + e.getMessage());
            return;
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        List<X509Certificate> others = new ArrayList<>(key.chain());
        for (X509Certificate c : ca) {
            if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                anchors.add(new TrustAnchor(c, null));
            } else {
                others.add(c);
            }
        }
        if (anchors.isEmpty()) {
            add(Level.REFUSE, "CA file " + caFile + " (smime.ca.file) holds no root (self-signed) certificate");
            return;
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(key.certificate());
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(others)));
            CertPathBuilder.getInstance("PKIX").build(params);
            add(Level.OK, "S/MIME certificate chains to a root in " + caFile);
        } catch (GeneralSecurityException e) {
            add(Level.REFUSE, "S/MIME certificate (" + key.origin() + ") does not chain to a root in " + caFile + " ("
                    + e.getMessage() + "): add the missing intermediate to the keystore, or fix smime.ca.file");
        }
    }

    private void dkimKey(DkimKey k) {
        if (k.publicKey() instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
            add(Level.WARN, "DKIM key " + k.origin() + " has only " + rsa.getModulus().bitLength() + " bits: generate a 2048-bit key,"
                    + " publish it under a new selector and switch (keep the old selector in dkim.previous.selectors)");
        } else {
            add(Level.OK, "DKIM key " + k.origin() + ": " + k.algorithm().tag() + ", selector " + k.selector());
        }
    }

    private void dnsRecord(DkimKey k, KeyRecords dns) {
        List<String> records;
        try {
            records = dns.txt(k.dnsName());
        } catch (KeyRecords.TemporaryFailure e) {
            add(Level.WARN, "DKIM record " + k.dnsName() + " could not be fetched now (" + e.getMessage() + "): check again later");
            return;
        }
        List<String> dkim = records.stream().filter(r -> tags(r).containsKey("p")).toList();
        if (dkim.isEmpty()) {
            add(Level.REFUSE, "no DKIM record at " + k.dnsName() + ": publish TXT \"" + k.publicKeyRecord() + "\""
                    + " (`keys dns-record` prints it)");
            return;
        }
        String want = tags(k.publicKeyRecord()).get("p");
        for (String r : dkim) {
            Map<String, String> t = tags(r);
            String type = t.getOrDefault("k", "rsa");
            if (want.equals(t.get("p")) && type.equalsIgnoreCase(k.algorithm().keyType())) {
                add(Level.OK, "DKIM record " + k.dnsName() + " matches the private key");
                return;
            }
        }
        add(Level.REFUSE, "the DKIM record at " + k.dnsName() + " does not match the private key " + k.origin()
                + ": every message would fail DKIM; publish TXT \"" + k.publicKeyRecord() + "\" or configure the key that"
                + " belongs to the published record");
    }

    /** DKIM tag-list (RFC 6376 §3.2), white space removed from values. */
    static Map<String, String> tags(String record) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : record.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).replaceAll("\\s+", ""));
            }
        }
        return m;
    }

    private static List<X509Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(pem)) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
        }
        return out;
    }
}
