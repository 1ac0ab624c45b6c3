package dev.signedmail.verify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * RFC 6376 §3.4 canonicalisation, verifier side.
 *
 * <p>This deliberately duplicates what {@code dev.signedmail.sign.DkimSigner} does: the verifier
 * must be an independent check of the signer, so it shares no code with it. A bug in one shows up
 * as a disagreement in the tests instead of being invisible on both sides. Written from the RFC
 * text (including errata 3192/1384 on trailing WSP and the final CRLF of a non-empty relaxed body).
 */
final class DkimCanonicalizer {
    private static final byte[] CRLF = {'\r', '\n'};

    private DkimCanonicalizer() {
    }

    /** §3.4.1: the field exactly as it is, plus CRLF. */
    static String simpleHeader(String raw) {
        return raw + "\r\n";
    }

    /** §3.4.2: lower-case name, unfold, WSP runs to one SP, no WSP at the ends or around the colon; plus CRLF. */
    static String relaxedHeader(String raw) {
        int colon = raw.indexOf(':');
        String name = raw.substring(0, colon).replaceAll("[ \t]+$", "").toLowerCase(java.util.Locale.ROOT);
        String value = raw.substring(colon + 1).replace("\r\n", "").replaceAll("[ \t]+", " ");
        value = value.replaceAll("^ ", "").replaceAll(" $", "");
        return name + ":" + value + "\r\n";
    }

    static String header(String raw, boolean relaxed) {
        return relaxed ? relaxedHeader(raw) : simpleHeader(raw);
    }

    /** §3.4.3: strip trailing empty lines; an empty body becomes one CRLF; a missing final CRLF is added. */
    static byte[] simpleBody(byte[] body) {
        int end = body.length;
        while (end >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n') {
            end -= 2;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(end + 2);
        out.write(body, 0, end);
        out.writeBytes(CRLF);
        return out.toByteArray();
    }

    /**
     * §3.4.4: WSP at line ends removed, WSP runs to one SP, trailing empty lines removed; a
     * non-empty body ends with CRLF; an empty one stays empty.
     */
    static byte[] relaxedBody(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        int emptyLines = 0;
        int pos = 0;
        while (pos < body.length) {
            int crlf = RawMessage.indexOfCrlf(body, pos);
            int lineEnd = crlf < 0 ? body.length : crlf;
            ByteArrayOutputStream line = new ByteArrayOutputStream(lineEnd - pos);
            boolean space = false;
            for (int k = pos; k < lineEnd; k++) {
                byte c = body[k];
                if (c == ' ' || c == '\t') {
                    space = true;
                } else {
                    if (space) {
                        line.write(' ');
                        space = false;
                    }
                    line.write(c);
                }
            }
            if (line.size() == 0) {
                emptyLines++;
            } else {
                for (; emptyLines > 0; emptyLines--) {
                    out.writeBytes(CRLF);
                }
                out.writeBytes(line.toByteArray());
                out.writeBytes(CRLF);
            }
            pos = crlf < 0 ? body.length : crlf + 2;
        }
        return out.toByteArray();
    }

    static byte[] body(byte[] body, boolean relaxed) {
        return relaxed ? relaxedBody(body) : simpleBody(body);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
