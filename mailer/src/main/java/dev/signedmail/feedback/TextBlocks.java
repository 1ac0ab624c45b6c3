package dev.signedmail.feedback;

import java.util.Locale;

/**
 * Cuts the lines that talk about one address out of a human-readable report. The report is split
 * into lines (and lower-cased) once, not once for every recipient it is searched for.
 */
final class TextBlocks {
    static final int BEFORE = 3;
    static final int AFTER = 8;
    static final int MAX_CONTEXT = 4000;
    /** Four times what {@link Evidence} reads of a diagnostic, so whitespace still to collapse does not cut it. */
    static final int MAX_JOIN = 4 * Evidence.MAX_SCAN;

    /**
     * A line break, LF or CRLF. Patterns used on every message are compiled once here and where they
     * are used: {@code String.split}/{@code replaceAll}/{@code matches} compile theirs on every call.
     */
    static final java.util.regex.Pattern LINE_BREAK = java.util.regex.Pattern.compile("\r?\n");

    private final String text;
    private final String[] lines;
    private final String[] lower;

    TextBlocks(String text) {
        this.text = text;
        this.lines = LINE_BREAK.split(text);
        this.lower = new String[lines.length];
        for (int i = 0; i < lines.length; i++) {
            lower[i] = lines[i].toLowerCase(Locale.ROOT);
        }
    }

    /** The lines around the first mention of the address, or the (bounded) whole text if unmentioned. */
    String around(String address) {
        String key = Addresses.key(address);
        for (int i = 0; i < lines.length; i++) {
            if (lower[i].contains(key)) {
                return join(lines, Math.max(0, i - BEFORE), Math.min(lines.length, i + AFTER + 1));
            }
        }
        return text.length() > MAX_CONTEXT ? text.substring(0, MAX_CONTEXT) : text;
    }

    /**
     * The lines from..to-1, each ending in a newline, cut after {@link #MAX_JOIN} chars: a few lines
     * around one address, which a hostile report can make a few hundred KB long each.
     */
    static String join(String[] lines, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to && b.length() < MAX_JOIN; i++) {
            b.append(lines[i], 0, Math.min(lines[i].length(), MAX_JOIN - b.length())).append('\n');
        }
        return b.toString();
    }

    /**
     * The entry a human-readable report gives one address: the line naming it plus its indented or
     * unbroken continuation lines, up to a blank line or the next line that names another address.
     * "" when the text does not name the address.
     */
    String entryOf(String address) {
        String key = Addresses.key(address);
        for (int i = 0; i < lines.length; i++) {
            if (!lower[i].contains(key)) {
                continue;
            }
            int end = i + 1;
            while (end < lines.length && end < i + AFTER && !lines[end].isBlank() && Addresses.all(lines[end]).isEmpty()) {
                end++;
            }
            return join(lines, i, end);
        }
        return "";
    }
}
