package dev.signedmail.sign;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Quoted-printable encoding of text (RFC 2045 §6.7), straight to the bytes that are signed:
 *
 * <pre>
 * quoted-printable := qp-line *(CRLF qp-line)
 * qp-line := *(qp-segment transport-padding CRLF) qp-part transport-padding
 * qp-part := qp-section            ; Maximum length of 76 characters
 * qp-segment := qp-section *(SPACE / TAB) "="   ; Maximum length of 76 characters
 * qp-section := [*(ptext / SPACE / TAB) ptext]
 * ptext := hex-octet / safe-char
 * safe-char := &lt;any octet with decimal value of 33 through 60 inclusive, and 62 through 126&gt;
 * </pre>
 *
 * <p>Line breaks of any kind become CRLF (hard breaks); a space or tab that would end a line is
 * encoded, because relays strip trailing white space; a line starting with "From " has its F
 * encoded, because mbox-style relays turn it into "&gt;From " and break the signature. The output
 * is 7-bit and never contains "=_" (every '=' is a soft break or starts a hex pair), so a
 * multipart boundary starting with "=_" cannot occur inside it.
 */
final class QuotedPrintable {
    /** 76 characters including the '=' of a soft line break (RFC 2045 rule 5). */
    private static final int MAX_LINE = 76;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private byte[] out;
    private int size;
    private int column;

    private QuotedPrintable(int capacity) {
        out = new byte[Math.max(64, capacity)];
    }

    /** The encoded text, ending without a final line break. */
    static byte[] encode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        QuotedPrintable qp = new QuotedPrintable(utf8.length + utf8.length / 8 + 16);
        int lineStart = 0;
        for (int i = 0; i <= utf8.length; i++) {
            boolean end = i == utf8.length;
            byte c = end ? 0 : utf8[i];
            if (end || c == '\r' || c == '\n') {
                qp.line(utf8, lineStart, i);
                if (end) {
                    break;
                }
                if (c == '\r' && i + 1 < utf8.length && utf8[i + 1] == '\n') {
                    i++; // CRLF is one break
                }
                qp.put((byte) '\r');
                qp.put((byte) '\n');
                qp.column = 0;
                lineStart = i + 1;
            }
        }
        return Arrays.copyOf(qp.out, qp.size);
    }

    private void line(byte[] b, int from, int to) {
        // worst case: every byte as =XX plus a soft break per 24 of them; reserved once, so the loop
        // below writes without checks (it ran per byte and was a fifth of the cost of a message)
        int need = size + (to - from) * 3 + ((to - from) / 24 + 1) * 3;
        if (need > out.length) {
            out = Arrays.copyOf(out, Math.max(need, out.length * 2));
        }
        byte[] o = out;
        int n = size;
        int col = column;
        int lastNonWsp = to - 1;
        while (lastNonWsp >= from && (b[lastNonWsp] == ' ' || b[lastNonWsp] == '\t')) {
            lastNonWsp--;
        }
        boolean fromLine = to - from >= 5 && b[from] == 'F' && b[from + 1] == 'r' && b[from + 2] == 'o'
                && b[from + 3] == 'm' && b[from + 4] == ' ';
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            boolean literal = (c >= 33 && c <= 126 && c != '=')
                    || ((c == ' ' || c == '\t') && i <= lastNonWsp);
            if (i == from && fromLine) {
                literal = false;
            }
            int width = literal ? 1 : 3;
            // room for this token and, unless it ends the line, a soft break '=' after it
            if (col + width > (i == to - 1 ? MAX_LINE : MAX_LINE - 1)) {
                o[n++] = '=';
                o[n++] = '\r';
                o[n++] = '\n';
                col = 0;
            }
            if (literal) {
                o[n++] = (byte) c;
            } else {
                o[n++] = '=';
                o[n++] = HEX[c >> 4];
                o[n++] = HEX[c & 0xf];
            }
            col += width;
        }
        size = n;
        column = col;
    }

    private void put(byte c) {
        if (size == out.length) {
            out = Arrays.copyOf(out, out.length * 2);
        }
        out[size++] = c;
    }
}
