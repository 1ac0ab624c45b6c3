package dev.signedmail.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Our encoder against Jakarta Mail's decoder, and the rules of RFC 2045 §6.7 on every line. */
class QuotedPrintableTest {

    private static String decode(byte[] qp) throws Exception {
        try (InputStream in = MimeUtility.decode(new ByteArrayInputStream(qp), "quoted-printable")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertWellFormed(byte[] qp) {
        String s = new String(qp, StandardCharsets.US_ASCII);
        for (int i = 0; i < qp.length; i++) {
            int c = qp[i] & 0xff;
            assertTrue(c < 128 && c != 0, "7-bit at " + i);
            if (c == '\n') {
                assertEquals('\r', qp[i - 1], "CRLF only, at " + i);
            }
        }
        for (String line : s.split("\r\n", -1)) {
            assertTrue(line.length() <= 76, "line of " + line.length() + ": " + line);
            assertFalse(line.endsWith(" ") || line.endsWith("\t"), "trailing white space: [" + line + "]");
            assertFalse(line.startsWith("From "), "From at a line start: " + line);
        }
        assertFalse(s.contains("=_"), "'=_' would collide with our boundaries");
    }

    @Test
    void roundTripsAwkwardTextAndKeepsEveryRule() throws Exception {
        String text = "Dear Zoë Łukasiewicz,  \nFrom now on the road is closed.\r\n\t tabs\tand  spaces \t\n"
                + "=3D is not an escape here; a=b\r" + "x".repeat(200) + " ".repeat(90) + "\n" + "é".repeat(80) + "\n.\n";
        byte[] qp = QuotedPrintable.encode(text);
        assertWellFormed(qp);
        assertEquals(text.replaceAll("\r\n|\r|\n", "\r\n"), decode(qp));
    }

    @Test
    void randomTextRoundTrips() throws Exception {
        Random random = new Random(2045);
        String alphabet = " \t\r\n=.-_Fromé€😀abcXYZ0123456789<>&\"'";
        for (int round = 0; round < 300; round++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(400);
            for (int i = 0; i < n; i++) {
                int cp = alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length()))));
                b.appendCodePoint(cp);
            }
            String text = b.toString();
            byte[] qp = QuotedPrintable.encode(text);
            assertWellFormed(qp);
            assertEquals(text.replaceAll("\r\n|\r|\n", "\r\n"), decode(qp), "round " + round);
        }
    }
}
