package dev.signedmail.send;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * One reply of the relay, read off the wire. RFC 5321 §4.2:
 *
 * <pre>
 *   Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
 *                    Reply-code [ SP textstring ] CRLF
 *   Reply-code     = %x32-35 %x30-35 %x30-39
 * </pre>
 *
 * {@code lines} holds the text of every line without its code, for EHLO's extension keywords;
 * {@link #text()} is the whole reply on one line as it is recorded in the outbox.
 */
record SmtpReply(int code, java.util.List<String> lines) {

    /** RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; more than this is not a relay speaking SMTP. */
    private static final int MAX_LINE = 8192;
    /** A reply of more lines than this is not one either (an EHLO lists a dozen extensions). */
    private static final int MAX_LINES = 200;

    boolean positive() {
        return code >= 200 && code < 400;
    }

    boolean transientFailure() {
        return code >= 400 && code < 500;
    }

    /** The reply as one line: "550 5.1.1 user unknown", continuation lines joined by spaces. */
    String text() {
        StringBuilder sb = new StringBuilder().append(code);
        for (String l : lines) {
            if (!l.isEmpty()) {
                sb.append(' ').append(l);
            }
        }
        return sb.toString().strip();
    }

    /** Reads one reply; an {@link IOException} where the bytes are not a reply, or the connection ended. */
    static SmtpReply read(InputStream in) throws IOException {
        java.util.List<String> lines = new java.util.ArrayList<>(1);
        byte[] buf = new byte[MAX_LINE];
        int code = -1;
        while (true) {
            int n = readLine(in, buf);
            if (n < 3 || !digits(buf)) {
                throw new IOException("the relay's reply is not SMTP: " + printable(buf, n));
            }
            int c = (buf[0] - '0') * 100 + (buf[1] - '0') * 10 + (buf[2] - '0');
            if (code >= 0 && c != code) {
                throw new IOException("the relay's reply changes its code mid-reply: " + printable(buf, n));
            }
            code = c;
            boolean more = n > 3 && buf[3] == '-';
            lines.add(n > 4 ? new String(buf, 4, n - 4, StandardCharsets.UTF_8).strip() : "");
            if (!more) {
                return new SmtpReply(code, java.util.List.copyOf(lines));
            }
            if (lines.size() >= MAX_LINES) {
                throw new IOException("the relay's reply goes on for more than " + MAX_LINES + " lines");
            }
        }
    }

    /** One line into buf without its CRLF (a bare LF ends it too); its length. */
    private static int readLine(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("the relay closed the connection");
            }
            if (b == '\n') {
                return n > 0 && buf[n - 1] == '\r' ? n - 1 : n;
            }
            if (n == buf.length) {
                throw new IOException("the relay's reply line is longer than " + MAX_LINE + " bytes");
            }
            buf[n++] = (byte) b;
        }
    }

    private static boolean digits(byte[] b) {
        return b[0] >= '2' && b[0] <= '5' && b[1] >= '0' && b[1] <= '9' && b[2] >= '0' && b[2] <= '9';
    }

    private static String printable(byte[] b, int n) {
        String s = new String(b, 0, Math.min(n, 80), StandardCharsets.ISO_8859_1);
        return "'" + s.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
