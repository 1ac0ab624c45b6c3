package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.sign.KeyCustody;
import dev.signedmail.sign.OutgoingMessage;
import dev.signedmail.sign.SignedMessageFactory;
import dev.signedmail.sign.SmimeSigner;
import dev.signedmail.testing.ExternalTools;
import dev.signedmail.testing.Verifiers;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message as we send it (S/MIME with header protection, rsa-sha256 + ed25519-sha256 DKIM) checked
 * by programs that share no code with us: OpenSSL, NSS's cmsutil, GnuPG's gpgsm, Python dkim and
 * Perl Mail::DKIM; and a changed copy rejected by each. Missing tools fail in CI (CI=true, where
 * .ci/run installs them) and skip elsewhere (see {@link ExternalTools}).
 *
 * <p>Perl Mail::DKIM (Debian 12: 1.20230212) has no ed25519-sha256, so it checks the rsa signature
 * and reports the other as unsupported; Python dkim with PyNaCl checks both.
 */
class InteropTest {
    @TempDir
    static Path dir;
    static byte[] message;
    static byte[] tampered;
    static Path keys = TestSupport.keys();

    @BeforeAll
    static void build() throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), 25);
        cfg.put("dkim.ed25519.key", keys.resolve("dkim-ed25519-private.pem").toString());
        cfg.put("dkim.ed25519.selector", "demo-ed25519");
        KeyCustody custody = new KeyCustody(Settings.of(cfg));
        SignedMessageFactory factory = new SignedMessageFactory(new SmimeSigner(custody.smimeKey()), custody.dkimSigners());
        message = factory.build(new OutgoingMessage(new InternetAddress("news@example.org", "Example Press Office", "UTF-8"),
                new InternetAddress("zoe@example.com", "Zoë Łukasiewicz", "UTF-8"), "Straße gesperrt – Zeugenaufruf",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), "release-9.interop@example.org", "news.example.org",
                "https://news.example.org/unsubscribe/t", "mailto:unsubscribe@example.org?subject=unsubscribe",
                "Grüße aus Łódź.\nZweite Zeile.\n", "<p>Grüße aus <b>Łódź</b>.</p>\n"));
        tampered = new String(message, StandardCharsets.ISO_8859_1).replace("Zweite Zeile.", "Zweite Zeile!")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertFalse(new String(message, StandardCharsets.US_ASCII).equals(new String(tampered, StandardCharsets.US_ASCII)));
    }

    /** The signed bytes and the DER signature of a multipart/signed message, for tools that take them apart. */
    static byte[][] split(byte[] msg) throws Exception {
        String s = new String(msg, StandardCharsets.ISO_8859_1);
        String head = s.substring(0, s.indexOf("\r\n\r\n")).replaceAll("\r\n[ \t]+", " ");
        String ct = head.lines().filter(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13)).findFirst().orElseThrow();
        String boundary = new ContentType(ct.substring(13).strip()).getParameter("boundary");
        String delim = "\r\n--" + boundary;
        int first = s.indexOf("--" + boundary + "\r\n") + boundary.length() + 4;
        int end = s.indexOf(delim, first);
        byte[] content = s.substring(first, end).getBytes(StandardCharsets.ISO_8859_1);
        int sigStart = s.indexOf("\r\n\r\n", end + delim.length()) + 4;
        String b64 = s.substring(sigStart, s.indexOf(delim, sigStart));
        return new byte[][] {content, Base64.getMimeDecoder().decode(b64)};
    }

    private static Path write(String name, byte[] b) throws Exception {
        return Files.write(dir.resolve(name), b);
    }

    @Test
    void openssl() throws Exception {
        assertEquals(0, Verifiers.opensslVerify(write("ok.eml", message), keys.resolve("ca.pem")).exitCode());
        assertTrue(Verifiers.opensslVerify(write("bad.eml", tampered), keys.resolve("ca.pem")).exitCode() != 0);
    }

    @Test
    void nssCmsutil() throws Exception {
        Path cmsutil = ExternalTools.require("cmsutil", "libnss3-tools");
        Path certutil = ExternalTools.require("certutil", "libnss3-tools");
        Path db = Files.createDirectories(dir.resolve("nssdb"));
        String sql = "sql:" + db;
        assertEquals(0, Verifiers.run(List.of(certutil.toString(), "-N", "-d", sql, "--empty-password")).exitCode());
        // trusted for e-mail ("C" in the second field) like a subscriber's imported CA
        Verifiers.Result add = Verifiers.run(List.of(certutil.toString(), "-A", "-d", sql, "-n", "demo-ca", "-t", "C,C,C",
                "-i", keys.resolve("ca.pem").toString()));
        assertEquals(0, add.exitCode(), add.output());
        for (boolean good : new boolean[] {true, false}) {
            byte[][] parts = split(good ? message : tampered);
            Path content = write("nss-content-" + good, parts[0]);
            Path sig = write("nss-sig-" + good + ".p7s", parts[1]);
            // -u 4: verify for certUsageEmailSigner
            Verifiers.Result r = Verifiers.run(List.of(cmsutil.toString(), "-D", "-d", sql, "-u", "4", "-i", sig.toString(),
                    "-c", content.toString(), "-o", "/dev/null"));
            assertEquals(good, r.exitCode() == 0, "cmsutil, " + (good ? "original" : "tampered") + ": " + r.output());
        }
    }

    @Test
    void gnupgGpgsm() throws Exception {
        Path gpgsm = ExternalTools.require("gpgsm", "gpgsm");
        Path home = Files.createDirectories(dir.resolve("gnupg"));
        home.toFile().setReadable(false, false);
        home.toFile().setReadable(true, true);
        home.toFile().setExecutable(false, false);
        home.toFile().setExecutable(true, true);
        Files.writeString(home.resolve("gpgsm.conf"), "disable-crl-checks\n");
        Verifiers.Result imp = Verifiers.run(List.of(gpgsm.toString(), "--homedir", home.toString(), "--batch", "--import",
                keys.resolve("ca.pem").toString()));
        assertEquals(0, imp.exitCode(), imp.output());
        Verifiers.Result list = Verifiers.run(List.of(gpgsm.toString(), "--homedir", home.toString(), "--with-colons", "--list-keys"));
        String fpr = list.output().lines().filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow().split(":")[9];
        Files.writeString(home.resolve("trustlist.txt"), fpr + " S relax\n"); // the root, trusted for S/MIME
        for (boolean good : new boolean[] {true, false}) {
            byte[][] parts = split(good ? message : tampered);
            Path content = write("gpgsm-content-" + good, parts[0]);
            Path sig = write("gpgsm-sig-" + good + ".p7s", parts[1]);
            Verifiers.Result r = Verifiers.run(List.of(gpgsm.toString(), "--homedir", home.toString(), "--batch", "--verify",
                    sig.toString(), content.toString()));
            assertEquals(good, r.exitCode() == 0 && r.output().contains("Good signature"), "gpgsm: " + r.output());
        }
        Verifiers.run(List.of("gpgconf", "--homedir", home.toString(), "--kill", "all"));
    }

    @Test
    void pythonDkimBothSignatures() throws Exception {
        String rsa = Files.readString(keys.resolve("dkim.txt"));
        String ed = Files.readString(keys.resolve("dkim-ed25519.txt"));
        assertTrue(Verifiers.pythonDkimVerify(message, rsa, 0), "rsa-sha256 (topmost)");
        assertTrue(Verifiers.pythonDkimVerify(message, ed, 1), "ed25519-sha256");
        assertFalse(Verifiers.pythonDkimVerify(tampered, rsa, 0));
        assertFalse(Verifiers.pythonDkimVerify(tampered, ed, 1));
    }

    @Test
    void perlMailDkim() throws Exception {
        ExternalTools.require("/usr/share/perl5/Mail/DKIM.pm", "libmail-dkim-perl");
        Path script = TestSupport.projectRoot().resolve(".ci/mail-dkim-verify.pl");
        List<String> dns = List.of("demo._domainkey.example.org=" + keys.resolve("dkim.txt"),
                "demo-ed25519._domainkey.example.org=" + keys.resolve("dkim-ed25519.txt"));
        Verifiers.Result ok = Verifiers.run(concat(List.of("perl", script.toString(), write("perl-ok.eml", message).toString()), dns));
        assertEquals(0, ok.exitCode(), ok.output());
        assertTrue(ok.output().contains("SIG rsa-sha256 example.org pass") && ok.output().contains("RESULT pass"), ok.output());
        Verifiers.Result bad = Verifiers.run(concat(List.of("perl", script.toString(), write("perl-bad.eml", tampered).toString()), dns));
        assertTrue(bad.output().contains("SIG rsa-sha256 example.org fail") && bad.output().contains("RESULT fail"), bad.output());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
