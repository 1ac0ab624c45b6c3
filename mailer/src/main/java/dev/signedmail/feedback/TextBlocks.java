package dev.signedmail.feedback;

import java.util.Locale;

/** Cuts the lines that talk about one address out of a human-readable report. */
final class TextBlocks {
    static final int BEFORE = 3;
    static final int AFTER = 8;
    static final int MAX_CONTEXT = 4000;

    private TextBlocks() {
    }

    /** The lines around the first mention of the address, or the (bounded) whole text if unmentioned. */
    static String around(String text, String address) {
        String[] lines = text.split("\r?\n");
        String key = Addresses.key(address);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].toLowerCase(Locale.ROOT).contains(key)) {
                return join(lines, Math.max(0, i - BEFORE), Math.min(lines.length, i + AFTER + 1));
            }
        }
        return text.length() > MAX_CONTEXT ? text.substring(0, MAX_CONTEXT) : text;
    }

    static String join(String[] lines, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append(lines[i]).append('\n');
        }
        return b.toString();
    }

    /**
     * The entry a human-readable report gives one address: the line naming it plus its indented or
     * unbroken continuation lines, up to a blank line or the next line that names another address.
     * "" when the text does not name the address.
     */
    static String entryOf(String text, String address) {
        String[] lines = text.split("\r?\n");
        String key = Addresses.key(address);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].toLowerCase(Locale.ROOT).contains(key)) {
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
