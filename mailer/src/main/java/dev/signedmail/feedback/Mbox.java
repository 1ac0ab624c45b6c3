package dev.signedmail.feedback;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits input that is an mbox (RFC 4155: each message starts with a "From sender date" postmark line
 * after a blank line) into its messages, so a saved mailbox holding several bounces gives the findings
 * of each rather than of the first only. Anything that does not itself start with a postmark line is
 * one message. Bounded: at most {@link #MAX_MESSAGES} parts, within {@link MailView#MAX_BYTES}.
 */
final class Mbox {
    static final int MAX_MESSAGES = 32;

    /** "From MAILER-DAEMON  Thu Apr 29 23:34:45 2015": sender, then a weekday and month as asctime writes them. */
    private static final Pattern POSTMARK = Pattern.compile(
            "(?m)^From \\S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \\d]\\d \\d");

    private Mbox() {
    }

    static List<byte[]> split(byte[] raw) {
        int length = Math.min(raw.length, MailView.MAX_BYTES);
        String text = new String(raw, 0, length, StandardCharsets.ISO_8859_1); // one char per byte: offsets match
        Matcher m = POSTMARK.matcher(text);
        if (!m.lookingAt()) {
            return List.of(raw);
        }
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        while (m.find() && starts.size() < MAX_MESSAGES) {
            int at = m.start();
            if (at > 0 && afterBlankLine(text, at)) { // a postmark only counts after an empty line
                starts.add(at);
            }
        }
        if (starts.size() == 1) {
            return List.of(raw);
        }
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1) : length;
            out.add(Arrays.copyOfRange(raw, starts.get(i), end));
        }
        return out;
    }

    private static boolean afterBlankLine(String text, int at) {
        return text.startsWith("\n\n", at - 2) || at >= 4 && text.startsWith("\r\n\r\n", at - 4);
    }
}
