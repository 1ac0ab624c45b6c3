package dev.signedmail.feedback;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds SMTP reply codes (RFC 5321: {@code \b[245]\d\d\b}) and enhanced status codes (RFC 3463:
 * {@code class "." subject "." detail}, class 2/4/5, subject and detail 1-3 digits) in free text,
 * without mistaking IP addresses, versions or dates for them.
 */
final class StatusCodes {
    private static final Pattern ENHANCED = Pattern.compile("(?<![\\w.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\w.]*\\.\\d|\\w)");
    private static final Pattern REPLY = Pattern.compile("(?<![\\w.:/#+-])([245][0-5]\\d)(?![\\w.:/@]|-\\d{2,}|\\.\\d)");

    private StatusCodes() {
    }

    /** The first enhanced status code in the text, or "". */
    static String firstStatus(String text) {
        Matcher m = ENHANCED.matcher(text);
        return m.find() ? m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3)) : "";
    }

    /** The first enhanced status code that is more specific than x.0.0, else the first one, else "". */
    static String bestStatus(String text) {
        Matcher m = ENHANCED.matcher(text);
        String first = "";
        while (m.find()) {
            String code = m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3));
            if (first.isEmpty()) {
                first = code;
            }
            if (!code.endsWith(".0.0") && !code.startsWith("2")) {
                return code;
            }
        }
        return first;
    }

    /** The first SMTP reply code in the text, or "". */
    static String firstReplyCode(String text) {
        Matcher m = REPLY.matcher(text);
        return m.find() ? m.group(1) : "";
    }

    /** A status such as "5.1.1" normalised from a DSN Status field ("5.1.1 (user unknown)"). */
    static String normalise(String field) {
        Matcher m = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})").matcher(field);
        return m.find() ? m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3)) : "";
    }

    static boolean isGeneric(String status) {
        return status.isEmpty() || status.endsWith(".0.0");
    }

    static boolean temporary(String status, String replyCode) {
        if (!status.isEmpty()) {
            return status.startsWith("4");
        }
        return replyCode.startsWith("4");
    }
}
