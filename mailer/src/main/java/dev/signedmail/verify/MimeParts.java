package dev.signedmail.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits a multipart body into its parts' exact bytes (RFC 2046 §5.1.1), which signatures cover. */
final class MimeParts {
    private MimeParts() {
    }

    /**
     * The raw bytes of each body part: from after the CRLF that ends a delimiter line to before the
     * CRLF that starts the next one. The body must have CRLF line ends. Never throws.
     */
    static List<byte[]> split(byte[] body, String boundary) {
        byte[] delim = ("--" + boundary).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        List<int[]> delims = new ArrayList<>(); // {line start, start of the next line, closing?}
        int pos = 0;
        while (pos < body.length) {
            int crlf = RawMessage.indexOfCrlf(body, pos);
            int lineEnd = crlf < 0 ? body.length : crlf;
            int next = crlf < 0 ? body.length : crlf + 2;
            if (startsWith(body, pos, lineEnd, delim)) {
                int k = pos + delim.length;
                boolean closing = k + 1 < lineEnd + 1 && k + 2 <= lineEnd && body[k] == '-' && body[k + 1] == '-';
                int rest = closing ? k + 2 : k;
                boolean onlyPadding = true;
                for (int j = rest; j < lineEnd; j++) {
                    onlyPadding &= body[j] == ' ' || body[j] == '\t';
                }
                if (onlyPadding) {
                    delims.add(new int[] {pos, next, closing ? 1 : 0});
                    if (closing) {
                        break;
                    }
                }
            }
            pos = next;
        }
        List<byte[]> parts = new ArrayList<>();
        for (int d = 0; d + 1 < delims.size(); d++) {
            int start = delims.get(d)[1];
            int end = Math.max(start, delims.get(d + 1)[0] - 2);
            parts.add(Arrays.copyOfRange(body, start, end));
        }
        return parts;
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
