package dev.signedmail.feedback;

import jakarta.mail.internet.MimeUtility;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        for (String line : block.split("\r?\n", -1)) {
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

    /** The first value with RFC 2047 encoded words decoded; the raw value if they are broken. */
    String decoded(String name) {
        String raw = get(name);
        if (!raw.contains("=?")) {
            return raw;
        }
        try {
            return MimeUtility.decodeText(raw);
        } catch (Exception | LinkageError e) {
            return raw;
        }
    }

    /** A parameter of a structured field such as Content-Type ({@code boundary}, {@code charset}). */
    static String param(String fieldValue, String param) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?i)(?:^|;)\\s*" + java.util.regex.Pattern.quote(param) + "\\s*=\\s*(\"([^\"]*)\"|[^;\\s]+)")
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
