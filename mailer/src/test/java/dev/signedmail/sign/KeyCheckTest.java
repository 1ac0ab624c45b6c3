package dev.signedmail.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import dev.signedmail.sign.KeyCheck.Finding;
import dev.signedmail.sign.KeyCheck.Level;
import dev.signedmail.testing.CliRun;
import dev.signedmail.verify.KeyRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key pre-flight: every misconfiguration it knows, each with keys-example's bad keys or generated ones. */
class KeyCheckTest {
    private static final String FROM = "news@example.org";

    @TempDir
    Path tmp;

    static List<DkimKey> dkimKeys() {
        return List.of(TestFiles.dkimKey(),
                DkimKey.load(TestFiles.keys("dkim-ed25519-private.pem"), "example.org", "demo-ed25519"));
    }

    static KeyRecords publishedRecords() throws Exception {
        return KeyRecords.of(Map.of(
                "demo._domainkey.example.org", Files.readString(TestFiles.keys("dkim.txt")),
                "demo-ed25519._domainkey.example.org", Files.readString(TestFiles.keys("dkim-ed25519.txt"))));
    }

    static List<Finding> check(SmimeKey smime, Path ca, List<DkimKey> dkim, KeyRecords dns, Instant now) {
        return KeyCheck.run(smime, FROM, ca, dkim, dns, now, 30);
    }

    static SmimeKey p12(String name) {
        return SmimeKey.load(TestFiles.keys(name), TestFiles.keys("signer.p12.password"));
    }

    private static String refusals(List<Finding> f) {
        return String.join("\n", f.stream().filter(x -> x.level() == Level.REFUSE).map(Finding::message).toList());
    }

    @Test
    void theDemoKeysPass() throws Exception {
        List<Finding> f = check(TestFiles.signerKey(), TestFiles.keys("ca.pem"), dkimKeys(), publishedRecords(), Instant.now());
        assertFalse(KeyCheck.refused(f), f.toString());
        assertTrue(f.stream().noneMatch(x -> x.level() == Level.WARN), f.toString());
        assertEquals(2, f.stream().filter(x -> x.message().contains("matches the private key")).count(), f.toString());
        assertTrue(f.stream().anyMatch(x -> x.message().contains("chains to a root")), f.toString());
    }

    @Test
    void expiredOtherAddressAndNoEkuAreRefused() throws Exception {
        assertTrue(refusals(check(p12("expired-signer.p12"), null, List.of(), null, Instant.now())).contains("expired on 2021-01-01"));
        assertTrue(refusals(check(p12("other-signer.p12"), null, List.of(), null, Instant.now())).contains("not the From address news@example.org"));
        assertTrue(refusals(check(p12("noeku-signer.p12"), null, List.of(), null, Instant.now())).contains("emailProtection"));
    }

    @Test
    void expiringWithinThirtyDaysWarnsButDoesNotRefuse() {
        SmimeKey key = TestFiles.signerKey();
        Instant tenDaysBefore = key.certificate().getNotAfter().toInstant().minus(Duration.ofDays(10)).minusSeconds(60);
        List<Finding> f = check(key, null, List.of(), null, tenDaysBefore);
        assertFalse(KeyCheck.refused(f), f.toString());
        assertTrue(f.stream().anyMatch(x -> x.level() == Level.WARN && x.message().contains("expires in 10 day(s)")), f.toString());
        List<Finding> after = check(key, null, List.of(), null, key.certificate().getNotAfter().toInstant().plusSeconds(1));
        assertTrue(refusals(after).contains("expired"), after.toString());
    }

    @Test
    void aChainToAnotherRootIsRefused() throws Exception {
        Path otherCa = tmp.resolve("other-ca.pem");
        TestFiles.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", tmp.resolve("k").toString(),
                "-subj", "/CN=Some Other Root", "-days", "30", "-out", otherCa.toString()));
        assertTrue(refusals(check(TestFiles.signerKey(), otherCa, List.of(), null, Instant.now())).contains("does not chain to a root in"));
        Path noRoot = TestFiles.keys("intermediate.pem");
        assertTrue(refusals(check(TestFiles.signerKey(), noRoot, List.of(), null, Instant.now())).contains("holds no root"));
    }

    @Test
    void dkimRecordsMissingOrForAnotherKeyAreRefusedAndDnsTroubleOnlyWarns() throws Exception {
        String rsa = Files.readString(TestFiles.keys("dkim.txt"));
        KeyRecords swapped = KeyRecords.of(Map.of("demo._domainkey.example.org", Files.readString(TestFiles.keys("dkim-ed25519.txt")),
                "demo-ed25519._domainkey.example.org", rsa));
        String r = refusals(check(TestFiles.signerKey(), null, dkimKeys(), swapped, Instant.now()));
        assertTrue(r.contains("the DKIM record at demo._domainkey.example.org does not match"), r);
        assertTrue(r.contains("the DKIM record at demo-ed25519._domainkey.example.org does not match"), r);
        String missing = refusals(check(TestFiles.signerKey(), null, dkimKeys(), KeyRecords.of(Map.of()), Instant.now()));
        assertTrue(missing.contains("no DKIM record at demo._domainkey.example.org: publish TXT \"v=DKIM1; k=rsa; p="), missing);
        KeyRecords down = name -> {
            throw new KeyRecords.TemporaryFailure("SERVFAIL", null);
        };
        List<Finding> f = check(TestFiles.signerKey(), null, dkimKeys(), down, Instant.now());
        assertFalse(KeyCheck.refused(f), f.toString());
        assertTrue(f.stream().anyMatch(x -> x.level() == Level.WARN && x.message().contains("could not be fetched")), f.toString());
    }

    @Test
    void weakAlgorithmsAreCaught() throws Exception {
        // a 1024-bit DKIM key: receivers still accept it, so a warning with the rotation advice
        Path weak = tmp.resolve("dkim-1024.pem");
        TestFiles.run(List.of("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", weak.toString()));
        List<Finding> f = check(TestFiles.signerKey(), null, List.of(DkimKey.load(weak, "example.org", "old")), null, Instant.now());
        assertTrue(f.stream().anyMatch(x -> x.level() == Level.WARN && x.message().contains("only 1024 bits")), f.toString());
        // an S/MIME certificate signed with SHA-1 on a 1024-bit key: refused twice over
        Path key = tmp.resolve("weak.key");
        Path cert = tmp.resolve("weak.pem");
        var made = TestFiles.run(List.of("openssl", "req", "-x509", "-sha1", "-newkey", "rsa:1024", "-nodes", "-keyout", key.toString(),
                "-subj", "/CN=Weak", "-days", "30", "-addext", "subjectAltName=email:" + FROM,
                "-addext", "extendedKeyUsage=emailProtection", "-out", cert.toString()));
        assertEquals(0, made.exitCode(), made.output());
        Path bundle = Files.writeString(tmp.resolve("weak-bundle.pem"), Files.readString(key) + Files.readString(cert));
        String r = refusals(check(SmimeKey.loadPem(bundle), null, List.of(), null, Instant.now()));
        assertTrue(r.contains("1024-bit RSA key"), r);
        assertTrue(r.contains("SHA1withRSA"), r);
    }

    @Test
    void keysCheckAndDnsRecordCommands() throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(tmp.resolve("data"), 25);
        cfg.put("dkim.ed25519.key", TestFiles.keys("dkim-ed25519-private.pem").toString());
        cfg.put("dkim.ed25519.selector", "demo-ed25519");
        cfg.put("smime.ca.file", TestFiles.keys("ca.pem").toString());
        cfg.put("dkim.previous.selectors", "demo2024");
        StringBuilder props = new StringBuilder();
        cfg.forEach((k, v) -> props.append(k).append(" = ").append(v).append('\n'));
        String config = Files.writeString(tmp.resolve("mailer.properties"), props).toString();
        Path dns = Files.writeString(tmp.resolve("dns.json"), "{\"demo._domainkey.example.org\": \"" + Files.readString(TestFiles.keys("dkim.txt")).strip()
                + "\", \"demo-ed25519._domainkey.example.org\": \"" + Files.readString(TestFiles.keys("dkim-ed25519.txt")).strip() + "\"}");

        CliRun ok = CliRun.of("--config", config, "keys", "check", "--dns", dns.toString());
        assertEquals(0, ok.exitCode, ok.toString());
        assertTrue(ok.out().contains("keys check: ok") && ok.out().contains("retired selector demo2024"), ok.out());
        CliRun bad = CliRun.of("--config", config, "keys", "check", "--dns", dns.toString(), "--at", "2037-01-01T00:00:00Z");
        assertEquals(1, bad.exitCode, bad.toString());
        assertTrue(bad.out().contains("REFUSED: ") && bad.out().contains("expired"), bad.out());

        CliRun records = CliRun.of("--config", config, "keys", "dns-record");
        assertEquals(0, records.exitCode, records.toString());
        assertTrue(records.out().contains("demo._domainkey.example.org.  IN TXT  \"v=DKIM1; k=rsa; p="), records.out());
        assertTrue(records.out().contains("demo-ed25519._domainkey.example.org.  IN TXT  \"" + Files.readString(TestFiles.keys("dkim-ed25519.txt")).strip() + "\""),
                records.out());
        assertTrue(records.out().contains("keep published") && records.out().contains("demo2024._domainkey.example.org"), records.out());
        assertTrue(records.out().contains("\" \""), "the 2048-bit RSA record is split into strings of at most 255: " + records.out());
    }

    @Test
    void everySendRunsThePreflight() throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(tmp.resolve("data"), 25);
        Path wrong = Files.writeString(tmp.resolve("wrong.json"), "{\"demo._domainkey.example.org\": \""
                + Files.readString(TestFiles.keys("dkim-ed25519.txt")).strip() + "\"}");
        cfg.put("keys.check.dns", wrong.toString());
        dev.signedmail.MailerRuntime.init(dev.signedmail.config.Settings.of(cfg));
        try (dev.signedmail.MailerRuntime rt = dev.signedmail.MailerRuntime.open(dev.signedmail.config.Settings.of(cfg))) {
            dev.signedmail.Problem p = org.junit.jupiter.api.Assertions.assertThrows(dev.signedmail.Problem.class, rt::composer);
            assertTrue(p.getMessage().contains("key check refuses to send") && p.getMessage().contains("does not match"), p.getMessage());
        }
        cfg.put("smime.ca.file", TestFiles.keys("intermediate.pem").toString());
        cfg.put("keys.check.dns", "off");
        try (dev.signedmail.MailerRuntime rt = dev.signedmail.MailerRuntime.open(dev.signedmail.config.Settings.of(cfg))) {
            dev.signedmail.Problem p = org.junit.jupiter.api.Assertions.assertThrows(dev.signedmail.Problem.class, rt::composer);
            assertTrue(p.getMessage().contains("holds no root"), p.getMessage());
        }
    }
}
