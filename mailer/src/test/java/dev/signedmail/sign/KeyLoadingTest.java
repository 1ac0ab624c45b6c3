package dev.signedmail.sign;

import dev.signedmail.testing.Verifiers;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyLoadingTest {
    @TempDir
    Path tmp;

    @Test
    void loadsSignerWithIntermediateButWithoutRoot() throws Exception {
        SmimeKey key = TestFiles.signerKey();
        List<X509Certificate> chain = key.chain();
        assertEquals(2, chain.size());
        assertTrue(chain.get(0).getSubjectX500Principal().getName().contains("Example Press Office"));
        assertTrue(chain.get(1).getSubjectX500Principal().getName().contains("Intermediate"));
        assertEquals("RSA", key.privateKey().getAlgorithm());
        assertDoesNotThrow(() -> SignerCertificateCheck.check(key.certificate(), "NEWS@Example.ORG", Instant.now(), key.source()));
    }

    @Test
    void wrongPasswordNamesTheFilesButNotThePassword() throws Exception {
        Path pw = Files.writeString(tmp.resolve("pw"), "not-the-password-x7\n");
        Problem p = assertThrows(Problem.class, () -> SmimeKey.load(TestFiles.keys("signer.p12"), pw));
        assertTrue(p.getMessage().contains("signer.p12"), p.getMessage());
        assertTrue(p.getMessage().contains("wrong password"), p.getMessage());
        assertTrue(p.getMessage().contains(pw.toString()), p.getMessage());
        assertFalse(p.getMessage().contains("not-the-password-x7"), p.getMessage());
        String real = Files.readString(TestFiles.keys("signer.p12.password")).strip();
        assertFalse(p.getMessage().contains(real));
    }

    @Test
    void missingFilesNameTheSetting() {
        Problem ks = assertThrows(Problem.class, () -> SmimeKey.load(tmp.resolve("nope.p12"), TestFiles.keys("signer.p12.password")));
        assertTrue(ks.getMessage().contains("nope.p12") && ks.getMessage().contains("MAILER_SMIME_KEYSTORE"), ks.getMessage());
        Problem pw = assertThrows(Problem.class, () -> SmimeKey.load(TestFiles.keys("signer.p12"), tmp.resolve("nope.pw")));
        assertTrue(pw.getMessage().contains("nope.pw") && pw.getMessage().contains("MAILER_SMIME_PASSWORD_FILE"), pw.getMessage());
        Problem notP12 = assertThrows(Problem.class, () -> SmimeKey.load(TestFiles.keys("ca.pem"), TestFiles.keys("signer.p12.password")));
        assertTrue(notP12.getMessage().contains("ca.pem"), notP12.getMessage());
    }

    @Test
    void keystoreWithoutPrivateKeyIsRefused() throws Exception {
        Path p12 = tmp.resolve("certs-only.p12");
        Verifiers.Result r = TestFiles.run(List.of("openssl", "pkcs12", "-export", "-nokeys",
                "-in", TestFiles.keys("ca.pem").toString(), "-passout", "file:" + TestFiles.keys("signer.p12.password"),
                "-out", p12.toString()));
        assertEquals(0, r.exitCode(), r.output());
        Problem p = assertThrows(Problem.class, () -> SmimeKey.load(p12, TestFiles.keys("signer.p12.password")));
        assertTrue(p.getMessage().contains("certs-only.p12") && p.getMessage().contains("no private key"), p.getMessage());
    }

    private static Problem refused(String p12, String from, Instant now) {
        SmimeKey key = SmimeKey.load(TestFiles.keys(p12), TestFiles.keys("signer.p12.password"));
        Problem p = assertThrows(Problem.class, () -> SignerCertificateCheck.check(key.certificate(), from, now, key.source()));
        assertTrue(p.getMessage().contains(p12), p.getMessage());
        return p;
    }

    @Test
    void refusesExpiredOtherAddressNoEkuAndNotYetValid() {
        assertTrue(refused("expired-signer.p12", "news@example.org", Instant.now()).getMessage().contains("expired"));
        assertTrue(refused("other-signer.p12", "news@example.org", Instant.now()).getMessage().contains("news@example.org"));
        assertTrue(refused("noeku-signer.p12", "news@example.org", Instant.now()).getMessage().contains("emailProtection"));
        assertTrue(refused("signer.p12", "news@example.org", Instant.now().minus(Duration.ofDays(400))).getMessage().contains("not valid before"));
        assertTrue(refused("signer.p12", "press@example.org", Instant.now()).getMessage().contains("press@example.org"));
    }

    @Test
    void dkimKeyRecordMatchesPublishedRecords() throws Exception {
        assertEquals(Files.readString(TestFiles.keys("dkim.txt")).strip(), TestFiles.dkimKey().publicKeyRecord());
        // PKCS#1 ("BEGIN RSA PRIVATE KEY") from RFC 8463, against the record the RFC publishes
        DkimKey rfc = DkimKey.load(TestFiles.corpus("dkim-vectors/rfc8463/test.private-rsa.pem"), "Football.Example.com", "test");
        String dns = Files.readString(TestFiles.corpus("dkim-vectors/rfc8463/dns.json"));
        assertTrue(dns.contains("\"" + rfc.publicKeyRecord() + "\""), rfc.publicKeyRecord());
        assertEquals("test._domainkey.football.example.com", rfc.dnsName());
        assertNotEquals(rfc.publicKeyRecord(), TestFiles.dkimKey().publicKeyRecord());
    }

    @Test
    void dkimKeyProblemsNameTheSetting() throws Exception {
        Path pem = TestFiles.keys("dkim-private.pem");
        assertTrue(assertThrows(Problem.class, () -> DkimKey.load(tmp.resolve("k.pem"), "example.org", "demo"))
                .getMessage().contains("MAILER_DKIM_KEY"));
        assertTrue(assertThrows(Problem.class, () -> DkimKey.load(pem, " ", "demo")).getMessage().contains("MAILER_DKIM_DOMAIN"));
        assertTrue(assertThrows(Problem.class, () -> DkimKey.load(pem, "example.org", null)).getMessage().contains("MAILER_DKIM_SELECTOR"));
        Path garbage = Files.writeString(tmp.resolve("garbage.pem"), "hello\n");
        assertTrue(assertThrows(Problem.class, () -> DkimKey.load(garbage, "example.org", "demo")).getMessage().contains("garbage.pem"));
        Problem cert = assertThrows(Problem.class, () -> DkimKey.load(TestFiles.keys("ca.pem"), "example.org", "demo"));
        assertTrue(cert.getMessage().contains("ca.pem") && cert.getMessage().contains("no private key"), cert.getMessage());
    }

    @Test
    void smimeKeyFromAPemBundleSignsLikeThePkcs12One() throws Exception {
        String pass = "file:" + TestFiles.keys("signer.p12.password");
        String p12 = TestFiles.keys("signer.p12").toString();
        String key = TestFiles.run(List.of("openssl", "pkcs12", "-in", p12, "-nocerts", "-nodes", "-passin", pass)).output();
        String certs = TestFiles.run(List.of("openssl", "pkcs12", "-in", p12, "-nokeys", "-passin", pass)).output();
        String keyBlock = key.substring(key.indexOf("-----BEGIN PRIVATE KEY-----"));
        // openssl lists the leaf first; keep only the PEM blocks
        String certBlocks = certs.replaceAll("(?s)(^|-----END CERTIFICATE-----\\n).*?(-----BEGIN CERTIFICATE-----)", "$1$2");
        Path bundle = Files.writeString(tmp.resolve("signer.pem"), keyBlock + certBlocks);
        SmimeKey pem = SmimeKey.loadPem(bundle);
        SmimeKey pkcs12 = TestFiles.signerKey();
        assertEquals(pkcs12.certificate(), pem.certificate());
        assertEquals(pkcs12.chain(), pem.chain());
        Path wrongKey = Files.writeString(tmp.resolve("wrong.pem"), Files.readString(TestFiles.keys("dkim-private.pem")) + certBlocks);
        assertTrue(assertThrows(Problem.class, () -> SmimeKey.loadPem(wrongKey)).getMessage().contains("does not belong to the private key"));
        Path noKey = Files.writeString(tmp.resolve("nokey.pem"), certBlocks);
        assertTrue(assertThrows(Problem.class, () -> SmimeKey.loadPem(noKey)).getMessage().contains("must hold the private key"));
    }
}
