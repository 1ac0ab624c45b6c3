package dev.signedmail.feedback;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A header block, read leniently: folded lines are unfolded, lines without a colon are skipped.
 * Written here rather than using Jakarta Mail's {@code InternetHeaders}, which throws
 * IndexOutOfBoundsException on inputs as small as "\t\n\t" (still in 2.1.5); bounces are often broken.
 */
final class Headers {
    private record Field(String name, String value) {
    }

    private final List<Field> fields = new ArrayList<>();

    static Headers parse(String block) {
        Headers h = new Headers();
        StringBuilder cur = null;
        for (String line : TextBlocks.LINE_BREAK.split(block, -1)) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (cur != null) {
                    cur.append(' ').append(line.strip());
                }
                continue;
            }
            if (cur != null) {
                h.add(cur.toString());
            }
            cur = line.indexOf(':') > 0 ? new StringBuilder(line) : null;
        }
        if (cur != null) {
            h.add(cur.toString());
        }
        return h;
    }

    private void add(String unfolded) {
        int colon = unfolded.indexOf(':');
        String name = unfolded.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && name.chars().noneMatch(Character::isWhitespace)) {
            fields.add(new Field(name, unfolded.substring(colon + 1).strip()));
        }
    }

    boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The first value of the field, raw (not RFC 2047 decoded), or "" when absent. */
    String get(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Field f : fields) {
            if (f.name.equals(n)) {
                return f.value;
            }
        }
        return "";
    }

    List<String> all(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name.equals(n)) {
                out.add(f.value);
            }
        }
        return out;
    }

    /** The first value with RFC 2047 encoded words decoded; a word that cannot be decoded is kept as it is. */
    String decoded(String name) {
        String raw = get(name);
        return raw.contains("=?") ? decodeWords(raw) : raw;
    }

    /**
     * RFC 2047 encoded word: {@code =?charset?B|Q?encoded-text?=}, at most 75 chars (2.), the charset
     * optionally with an RFC 2231 language suffix ({@code *en}).
     */
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?\\s*]{1,40})(?:\\*[^?\\s]{0,20})?\\?([bBqQ])\\?([^?\\s]{0,75})\\?=");

    /**
     * Decodes the encoded words of a header value; the whitespace between two adjacent encoded words
     * is dropped (RFC 2047 6.2). Written here rather than calling Jakarta Mail's
     * {@code MimeUtility.decodeText}, which looks its decoder streams up through a ServiceLoader for
     * every word (0.4 ms each), so a subject of a few thousand encoded words took seconds.
     */
    static String decodeWords(String raw) {
        Matcher m = ENCODED_WORD.matcher(raw);
        StringBuilder out = new StringBuilder(raw.length());
        int last = 0;
        boolean lastWasWord = false;
        while (m.find()) {
            String between = raw.substring(last, m.start());
            String word = decodeWord(m.group(1), m.group(2), m.group(3));
            if (!(lastWasWord && word != null && between.isBlank())) {
                out.append(between);
            }
            out.append(word != null ? word : m.group());
            lastWasWord = word != null;
            last = m.end();
        }
        return out.append(raw, last, raw.length()).toString();
    }

    /** One encoded word's text, or null when its charset is unknown or its text is not valid B/Q. */
    private static String decodeWord(String charsetName, String encoding, String text) {
        try {
            Charset charset = MimePart.charset(charsetName);
            if (charset == null) {
                return null;
            }
            byte[] bytes;
            if (encoding.equalsIgnoreCase("B")) {
                bytes = Base64.getDecoder().decode(text);
            } else {
                ByteArrayOutputStream q = new ByteArrayOutputStream(text.length());
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c == '_') {
                        q.write(' '); // RFC 2047 4.2 (2)
                    } else if (c == '=') {
                        if (i + 2 >= text.length()) {
                            return null;
                        }
                        int hi = Character.digit(text.charAt(i + 1), 16);
                        int lo = Character.digit(text.charAt(i + 2), 16);
                        if (hi < 0 || lo < 0) {
                            return null;
                        }
                        q.write(hi * 16 + lo);
                        i += 2;
                    } else {
                        q.write(c);
                    }
                }
                bytes = q.toByteArray();
            }
            return new String(bytes, charset);
        } catch (IllegalArgumentException e) { // invalid base64
            return null;
        }
    }

    /** The pattern for each parameter name asked for; the names come from this package, not from mail. */
    private static final java.util.Map<String, Pattern> PARAMS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A parameter of a structured field such as Content-Type ({@code boundary}, {@code charset}). */
    static String param(String fieldValue, String param) {
        Matcher m = PARAMS.computeIfAbsent(param, p -> Pattern
                .compile("(?i)(?:^|;)\\s*" + Pattern.quote(p) + "\\s*=\\s*(\"([^\"]*)\"|[^;\\s]+)"))
                .matcher(fieldValue);
        if (!m.find()) {
            return "";
        }
        return m.group(2) != null ? m.group(2) : m.group(1);
    }

    /** The media type of a Content-Type value, lower-cased ("text/plain"), or "" when missing. */
    static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }
}
