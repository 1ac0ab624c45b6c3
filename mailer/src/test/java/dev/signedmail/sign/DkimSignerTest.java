package dev.signedmail.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import dev.signedmail.testing.Verifiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DkimSignerTest {
    private static final String MESSAGE = String.join("\r\n",
            "From: Example Press Office <news@example.org>",
            "To: reader@example.net",
            "Subject:  Hello   world ",
            "Date: Sat, 1 Mar 2025 10:00:00 +0000",
            "Message-ID: <1@example.org>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "List-Unsubscribe: <https://example.org/u/1>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "X-Not-Signed: 1",
            "",
            "Hello  there \t",
            "",
            "Bye.",
            "",
            "",
            "");

    private static String header(byte[] signed) {
        String s = new String(signed, StandardCharsets.US_ASCII);
        assertTrue(s.startsWith("DKIM-Signature:"));
        Matcher end = Pattern.compile("\r\n(?![ \t])").matcher(s);
        assertTrue(end.find());
        return s.substring(0, end.end());
    }

    private static String tag(String header, String name) {
        String unfolded = header.replace("\r\n", "").replaceAll("[ \t]+", " ");
        Matcher m = Pattern.compile("(?:^|[; ])" + name + "=([^;]*)").matcher(unfolded.substring(unfolded.indexOf(':') + 1));
        assertTrue(m.find(), name + "= in " + header);
        return m.group(1).replace(" ", "");
    }

    @Test
    void reproducesTheRsaSignatureOfRfc8463AppendixA3() throws Exception {
        DkimKey key = DkimKey.load(TestFiles.corpus("dkim-vectors/rfc8463/test.private-rsa.pem"), "football.example.com", "test");
        byte[] unsigned = Files.readAllBytes(TestFiles.corpus("dkim-vectors/rfc8463/unsigned.eml"));
        String expected = new String(Files.readAllBytes(TestFiles.corpus("dkim-vectors/rfc8463/signed.eml")), StandardCharsets.US_ASCII);
        String rsaHeader = expected.substring(expected.indexOf("DKIM-Signature: v=1; a=rsa-sha256"), expected.indexOf("\r\nFrom:") + 2);

        byte[] signed = new DkimSigner(key).signWithTags(unsigned, List.of(
                Map.entry("v", "1"), Map.entry("a", "rsa-sha256"), Map.entry("c", "relaxed/relaxed"),
                Map.entry("d", "football.example.com"), Map.entry("i", "@football.example.com"),
                Map.entry("q", "dns/txt"), Map.entry("s", "test"), Map.entry("t", "1528637909"),
                Map.entry("h", "from : to : subject : date : message-id : from : subject : date")));

        String ours = header(signed);
        assertEquals(tag(rsaHeader, "bh"), tag(ours, "bh"));
        assertEquals(tag(rsaHeader, "b"), tag(ours, "b"));
        assertArrayEquals(unsigned, Arrays.copyOfRange(signed, ours.length(), signed.length), "nothing else changed");
    }

    /** RFC 8463 A.2: the Ed25519 seed as a PKCS#8 PEM file, so it goes through our ordinary loader. */
    static Path rfc8463Ed25519Pem(Path dir) throws Exception {
        byte[] seed = Base64.getDecoder().decode(Files.readString(TestFiles.corpus("dkim-vectors/rfc8463/brisbane.ed25519-seed.b64")).strip());
        byte[] pkcs8 = HexFormat.of().parseHex("302e020100300506032b657004220420");
        byte[] der = Arrays.copyOf(pkcs8, pkcs8.length + seed.length);
        System.arraycopy(seed, 0, der, pkcs8.length, seed.length);
        return Files.writeString(dir.resolve("brisbane.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n");
    }

    @Test
    void reproducesBothSignaturesOfRfc8463(@TempDir Path tmp) throws Exception {
        byte[] unsigned = Files.readAllBytes(TestFiles.corpus("dkim-vectors/rfc8463/unsigned.eml"));
        String expected = new String(Files.readAllBytes(TestFiles.corpus("dkim-vectors/rfc8463/signed.eml")), StandardCharsets.US_ASCII);
        DkimKey ed = DkimKey.load(rfc8463Ed25519Pem(tmp), "football.example.com", "brisbane");
        assertEquals(DkimAlgorithm.ED25519_SHA256, ed.algorithm());
        String dns = Files.readString(TestFiles.corpus("dkim-vectors/rfc8463/dns.json"));
        assertTrue(dns.contains("\"" + ed.publicKeyRecord() + "\""), "public key derived from the seed: " + ed.publicKeyRecord());
        DkimKey rsa = DkimKey.load(TestFiles.corpus("dkim-vectors/rfc8463/test.private-rsa.pem"), "football.example.com", "test");
        String h = "from : to : subject : date : message-id : from : subject : date";
        for (DkimKey key : List.of(ed, rsa)) {
            byte[] signed = new DkimSigner(key).signWithTags(unsigned, List.of(
                    Map.entry("v", "1"), Map.entry("a", key.algorithm().tag()), Map.entry("c", "relaxed/relaxed"),
                    Map.entry("d", "football.example.com"), Map.entry("i", "@football.example.com"),
                    Map.entry("q", "dns/txt"), Map.entry("s", key.selector()), Map.entry("t", "1528637909"), Map.entry("h", h)));
            int start = expected.indexOf("DKIM-Signature: v=1; a=" + key.algorithm().tag());
            String theirs = expected.substring(start, nextField(expected, start));
            String ours = header(signed);
            assertEquals(tag(theirs, "bh"), tag(ours, "bh"), key.algorithm().tag());
            assertEquals(tag(theirs, "b"), tag(ours, "b"), key.algorithm().tag() + " b= reproduced exactly");
        }
    }

    /** Index just after the header field starting at {@code start} (its CRLF included). */
    private static int nextField(String s, int start) {
        Matcher m = Pattern.compile("\r\n(?![ \t])").matcher(s);
        assertTrue(m.find(start));
        return m.end();
    }

    @Test
    void expiryTagAndDualSignaturesVerifyInPythonDkim(@TempDir Path tmp) throws Exception {
        DkimKey ed = DkimKey.load(TestFiles.keys("dkim-ed25519-private.pem"), "example.org", "demo-ed25519");
        assertEquals(Files.readString(TestFiles.keys("dkim-ed25519.txt")).strip(), ed.publicKeyRecord());
        Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        byte[] once = new DkimSigner(TestFiles.dkimKey(), java.time.Duration.ofDays(7)).sign(MESSAGE.getBytes(StandardCharsets.US_ASCII), t);
        byte[] twice = new DkimSigner(ed, java.time.Duration.ofDays(7)).sign(once, t);
        String top = header(twice);
        assertEquals("ed25519-sha256", tag(top, "a"));
        assertEquals(Long.toString(t.getEpochSecond() + 7 * 86400), tag(top, "x"));
        assertEquals(Long.toString(t.getEpochSecond() + 7 * 86400), tag(header(once), "x"));
        assertTrue(Verifiers.pythonDkimVerify(twice, Files.readString(TestFiles.keys("dkim-ed25519.txt")), 0), "ed25519 signature");
        assertTrue(Verifiers.pythonDkimVerify(twice, Files.readString(TestFiles.keys("dkim.txt")), 1), "rsa signature");
        byte[] expired = new DkimSigner(ed, java.time.Duration.ofDays(7)).sign(MESSAGE.getBytes(StandardCharsets.US_ASCII),
                Instant.now().minus(java.time.Duration.ofDays(8)));
        assertFalse(Verifiers.pythonDkimVerify(expired, Files.readString(TestFiles.keys("dkim-ed25519.txt")), 0), "x= in the past");
    }

    @Test
    void oversignedSubjectAndListUnsubscribeCannotBeAdded() throws Exception {
        String record = Files.readString(TestFiles.keys("dkim.txt"));
        String signed = new String(new DkimSigner(TestFiles.dkimKey()).sign(MESSAGE.getBytes(StandardCharsets.US_ASCII), Instant.now()), StandardCharsets.US_ASCII);
        for (String added : List.of("Subject: Evacuate now", "List-Unsubscribe: <https://evil.example/u>", "From: ceo@example.org")) {
            String tampered = signed.replace("X-Not-Signed: 1\r\n", "X-Not-Signed: 1\r\n" + added + "\r\n");
            assertFalse(TestFiles.pythonDkimVerify(tampered.getBytes(StandardCharsets.US_ASCII), record), added);
        }
    }

    @Test
    void relaxedBodyCanonicalisation() {
        // RFC 6376 §3.4.6 example: " C \r\nD \t E\r\n\r\n\r\n" -> " C\r\nD E\r\n"
        assertEquals(" C\r\nD E\r\n", new String(DkimSigner.relaxedBody(" C \r\nD \t E\r\n\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII));
        assertEquals("", new String(DkimSigner.relaxedBody(new byte[0]), StandardCharsets.US_ASCII));
        assertEquals("", new String(DkimSigner.relaxedBody("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII));
        assertEquals("a\r\n\r\nb\r\n", new String(DkimSigner.relaxedBody("a\r\n \r\nb".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII));
    }

    @Test
    void relaxedHeaderCanonicalisation() {
        // RFC 6376 §3.4.6 example: "A: X\r\nB : Y\t\r\n\tZ  " -> "a:X", "b:Y Z"
        assertEquals("a:X", DkimSigner.relaxedHeader("A: X"));
        assertEquals("b:Y Z", DkimSigner.relaxedHeader("B : Y\t\r\n\tZ  "));
    }

    @Test
    void signsOnlyPresentHeadersOversignsFromAndFoldsLines() throws Exception {
        byte[] msg = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        byte[] signed = new DkimSigner(TestFiles.dkimKey()).sign(msg, Instant.ofEpochSecond(1740823200));
        String h = header(signed);
        assertEquals("from:from:to:subject:subject:date:message-id:mime-version:content-type:list-unsubscribe:list-unsubscribe:"
                + "list-unsubscribe-post", tag(h, "h"));
        assertEquals("example.org", tag(h, "d"));
        assertEquals("demo", tag(h, "s"));
        assertEquals("1740823200", tag(h, "t"));
        assertEquals("relaxed/relaxed", tag(h, "c"));
        for (String line : h.split("\r\n")) {
            assertTrue(line.length() <= 78, "line too long: " + line);
        }
        assertArrayEquals(msg, Arrays.copyOfRange(signed, h.length(), signed.length));
        assertTrue(TestFiles.pythonDkimVerify(signed, Files.readString(TestFiles.keys("dkim.txt"))));
    }

    @Test
    void pythonDkimRejectsChangedBodyAndAddedFrom() throws Exception {
        String record = Files.readString(TestFiles.keys("dkim.txt"));
        String signed = new String(new DkimSigner(TestFiles.dkimKey()).sign(MESSAGE.getBytes(StandardCharsets.US_ASCII), Instant.now()), StandardCharsets.US_ASCII);
        assertTrue(TestFiles.pythonDkimVerify(signed.getBytes(StandardCharsets.US_ASCII), record));
        String tamperedBody = signed.replace("Bye.", "Buy!");
        assertFalse(TestFiles.pythonDkimVerify(tamperedBody.getBytes(StandardCharsets.US_ASCII), record));
        String addedFrom = signed.replace("X-Not-Signed: 1\r\n", "X-Not-Signed: 1\r\nFrom: ceo@example.org\r\n");
        assertFalse(TestFiles.pythonDkimVerify(addedFrom.getBytes(StandardCharsets.US_ASCII), record));
        String unsignedHeaderChanged = signed.replace("X-Not-Signed: 1", "X-Not-Signed: 2");
        assertTrue(TestFiles.pythonDkimVerify(unsignedHeaderChanged.getBytes(StandardCharsets.US_ASCII), record));
    }

    @Test
    void refusesBareLineFeedsInHeadersAndASignerWithoutFrom() {
        DkimSigner signer = new DkimSigner(TestFiles.dkimKey());
        byte[] lf = "From: a@example.org\nSubject: x\n\nbody\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IllegalArgumentException.class, () -> signer.sign(lf, Instant.now()));
        assertThrows(IllegalArgumentException.class, () -> new DkimSigner(TestFiles.dkimKey(), List.of("Subject")));
    }
}
