package dev.signedmail.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.sign.DkimKey;
import dev.signedmail.sign.DkimSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DkimVerifierTest {
    private static final String MESSAGE = "From: Example Press Office <news@example.org>\r\nTo: reader@example.net\r\n"
            + "Subject: Hello\r\nDate: Sat, 1 Mar 2025 10:00:00 +0000\r\nMessage-ID: <d.1@example.org>\r\n\r\nHello  there \t\r\n\r\n\r\n";

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static List<DkimResult> verify(String message, String record, Instant at) {
        return new DkimVerifier(KeyRecords.of(Map.of("demo._domainkey.example.org", record)), at)
                .verify(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String signed() throws Exception {
        DkimKey key = DkimKey.load(Corpora.keys("dkim-private.pem"), "example.org", "demo");
        return ascii(new DkimSigner(key).sign(MESSAGE.getBytes(StandardCharsets.ISO_8859_1), Instant.ofEpochSecond(1740823200)));
    }

    private static String record() throws Exception {
        return Files.readString(Corpora.keys("dkim.txt")).strip();
    }

    @Test
    void canonicalisationFollowsRfc6376Examples() {
        // RFC 6376 §3.4.6
        assertEquals("a:X\r\n", DkimCanonicalizer.relaxedHeader("A: X"));
        assertEquals("b:Y Z\r\n", DkimCanonicalizer.relaxedHeader("B : Y\t\r\n\tZ  "));
        assertEquals(" C\r\nD E\r\n", ascii(DkimCanonicalizer.relaxedBody(" C \r\nD \t E\r\n\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))));
        assertEquals(" C \r\nD \t E\r\n", ascii(DkimCanonicalizer.simpleBody(" C \r\nD \t E\r\n\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))));
        assertEquals("\r\n", ascii(DkimCanonicalizer.simpleBody(new byte[0])));
        assertEquals("", ascii(DkimCanonicalizer.relaxedBody(new byte[0])));
        assertEquals("x\r\n", ascii(DkimCanonicalizer.relaxedBody("x".getBytes(StandardCharsets.ISO_8859_1))));
        assertEquals("DKIM-Signature: a=1; b=; bh=abc", DkimVerifier.withoutSignatureValue("DKIM-Signature: a=1; b=zz\r\n yy; bh=abc"));
    }

    @Test
    void passesThenCatchesAnAddedFromAndIgnoresUnsignedHeaders() throws Exception {
        String s = signed();
        Instant at = Instant.ofEpochSecond(1740823300);
        assertEquals(DkimResult.Status.PASS, verify(s, record(), at).get(0).result());
        String addedFrom = s.replace("Message-ID:", "From: ceo@example.org\r\nMessage-ID:");
        assertEquals(DkimResult.Status.FAIL, verify(addedFrom, record(), at).get(0).result(), "From is oversigned");
        String extra = s.replace("Message-ID:", "X-Extra: 1\r\nMessage-ID:");
        assertEquals(DkimResult.Status.PASS, verify(extra, record(), at).get(0).result());
    }

    @Test
    void rsaSha1FailsAndShortKeysAreRefused() throws Exception {
        String s = signed();
        Instant at = Instant.ofEpochSecond(1740823300);
        DkimResult sha1 = verify(s.replace("a=rsa-sha256", "a=rsa-sha1"), record(), at).get(0);
        assertEquals(DkimResult.Status.FAIL, sha1.result());
        assertTrue(sha1.reason().contains("RFC 8301"), sha1.reason());

        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(512);
        String shortKey = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
        DkimResult weak = verify(s, shortKey, at).get(0);
        assertEquals(DkimResult.Status.PERMERROR, weak.result());
        assertTrue(weak.reason().contains("512 bits"), weak.reason());

        assertEquals(DkimResult.Status.PERMERROR, verify(s, "v=DKIM1; k=rsa; p=", at).get(0).result(), "revoked key");
        DkimResult missing = new DkimVerifier(KeyRecords.of(Map.of()), at).verify(s.getBytes(StandardCharsets.ISO_8859_1)).get(0);
        assertEquals(DkimResult.Status.PERMERROR, missing.result());
        DkimResult temp = new DkimVerifier(name -> {
            throw new KeyRecords.TemporaryFailure("SERVFAIL", null);
        }, at).verify(s.getBytes(StandardCharsets.ISO_8859_1)).get(0);
        assertEquals(DkimResult.Status.TEMPERROR, temp.result());
    }

    @Test
    void futureTimestampsAndExpiry() throws Exception {
        String s = signed();
        DkimResult early = verify(s, record(), Instant.ofEpochSecond(1740823200 - 2 * 86_400)).get(0);
        assertEquals(DkimResult.Status.PERMERROR, early.result());
        assertTrue(early.reason().contains("t="), early.reason());
        DkimResult skewed = verify(s, record(), Instant.ofEpochSecond(1740823200 - 3600)).get(0);
        assertEquals(DkimResult.Status.PASS, skewed.result(), "an hour of clock skew earns a note only");
        assertTrue(skewed.reason().contains("clock"), skewed.reason());
    }
}
