package dev.signedmail.verify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A message (or MIME entity) split into raw header fields and body bytes, with no decoding at all,
 * because signatures are checked over exact bytes. Tolerant: it never throws; a line without a
 * colon ends the header section as it would for most mail readers, and LF-only line ends are
 * turned into CRLF first ({@link #toCrlf}), as every signature is computed over CRLF text.
 */
final class RawMessage {
    /** One header field exactly as it appeared, folding CRLFs kept, without the final CRLF. */
    record Field(String name, String raw) {
        /** The value after the colon, unfolded, trimmed. */
        String value() {
            int colon = raw.indexOf(':');
            return raw.substring(colon + 1).replace("\r\n", "").replaceAll("[ \t]+", " ").strip();
        }
    }

    private final List<Field> fields;
    private final byte[] body;
    private final boolean hasBody;

    private RawMessage(List<Field> fields, byte[] body, boolean hasBody) {
        this.fields = fields;
        this.body = body;
        this.hasBody = hasBody;
    }

    /** Parses {@code message}, which must already have CRLF line ends (see {@link #toCrlf}). */
    static RawMessage parse(byte[] message) {
        List<Field> fields = new ArrayList<>();
        int i = 0;
        StringBuilder current = null;
        boolean hasBody = false;
        while (i < message.length) {
            int end = indexOfCrlf(message, i);
            int lineEnd = end < 0 ? message.length : end;
            String line = new String(message, i, lineEnd - i, StandardCharsets.ISO_8859_1);
            int next = end < 0 ? message.length : end + 2;
            if (line.isEmpty()) {
                i = next;
                hasBody = true;
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append("\r\n").append(line);
            } else if (line.indexOf(':') > 0 && line.charAt(0) != ' ' && line.charAt(0) != '\t') {
                if (current != null) {
                    fields.add(field(current.toString()));
                }
                current = new StringBuilder(line);
            } else {
                // not a header line (no colon, or a continuation before any field): the body starts here
                hasBody = true;
                break;
            }
            i = next;
        }
        if (current != null) {
            fields.add(field(current.toString()));
        }
        byte[] body = Arrays.copyOfRange(message, Math.min(i, message.length), message.length);
        return new RawMessage(List.copyOf(fields), body, hasBody);
    }

    private static Field field(String raw) {
        String name = raw.substring(0, raw.indexOf(':'));
        int e = name.length();
        while (e > 0 && (name.charAt(e - 1) == ' ' || name.charAt(e - 1) == '\t')) {
            e--;
        }
        return new Field(name.substring(0, e), raw);
    }

    /** Bare LF becomes CRLF; everything else is kept. Returns the same array when nothing changes. */
    static byte[] toCrlf(byte[] in) {
        boolean bare = false;
        for (int i = 0; i < in.length && !bare; i++) {
            bare = in[i] == '\n' && (i == 0 || in[i - 1] != '\r');
        }
        if (!bare) {
            return in;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 20);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }

    static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    List<Field> fields() {
        return fields;
    }

    byte[] body() {
        return body;
    }

    boolean hasBody() {
        return hasBody;
    }

    /** All fields called {@code name} (case-insensitive), top to bottom. */
    List<Field> all(String name) {
        List<Field> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The unfolded value of the first field called {@code name}, or null. */
    String first(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
