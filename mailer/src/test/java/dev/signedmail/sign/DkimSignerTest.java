package dev.signedmail.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
        assertEquals("from:from:to:subject:date:message-id:mime-version:content-type:list-unsubscribe:list-unsubscribe-post",
                tag(h, "h"));
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
