package dev.signedmail.feedback;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds SMTP reply codes (RFC 5321: {@code \b[245]\d\d\b}) and enhanced status codes (RFC 3463:
 * {@code class "." subject "." detail}, class 2/4/5, subject and detail 1-3 digits) in free text,
 * without mistaking IP addresses, versions or dates for them.
 */
final class StatusCodes {
    // Each starts with a lookahead for its first digit: without it, both lookbehinds were tried at
    // every position of the text before the digit itself was looked at.
    private static final Pattern ENHANCED = Pattern.compile(
            "(?=[245])(?<![\\w.])(?<![A-Za-z_]-)([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\w.]*\\.\\d|\\w|-\\d)"); // not "mta-5.5.0-3"
    private static final Pattern REPLY = Pattern.compile("(?=[245])(?<![\\w.:/#+-])([245][0-5]\\d)(?![\\w.:/@]|-\\d{2,}|\\.\\d)");

    private static final Pattern PROTOCOL_STATUS = Pattern.compile("\\d\\.5\\.[1245]");
    private static final Pattern CODE = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})");

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

    /** The first SMTP reply code of the given class ('4' or '5') in the text, or the first of any class, or "". */
    static String firstReplyCode(String text, char preferredClass) {
        Matcher m = REPLY.matcher(text);
        String first = "";
        while (m.find()) {
            if (m.group(1).charAt(0) == preferredClass) {
                return m.group(1);
            }
            if (first.isEmpty()) {
                first = m.group(1);
            }
        }
        return first;
    }

    /**
     * Chooses between the status a DSN field gives and the one quoted in the diagnostic text. The
     * field is often a generic default (x.0.0, x.y.0, x.0.z) or a summary (4.4.7 "delivery time
     * expired", 4.7.0, 5.3.x, x.5.x protocol codes) while the remote server's own words carry the
     * precise code; a reply code decides between codes of different classes.
     */
    static String prefer(String field, String inText, String replyCode) {
        if (field.isEmpty()) {
            return inText;
        }
        if (inText.isEmpty() || field.equals(inText)) {
            return field;
        }
        if (!replyCode.isEmpty() && field.charAt(0) != inText.charAt(0)) {
            if (replyCode.charAt(0) == field.charAt(0)) {
                return field;
            }
            if (replyCode.charAt(0) == inText.charAt(0)) {
                return inText;
            }
        }
        boolean fieldZero = field.contains(".0");
        boolean textZero = inText.contains(".0");
        if (field.endsWith(".0.0")) {
            return inText.endsWith(".0.0") ? field : inText;
        }
        if (fieldZero && !textZero) {
            return inText;
        }
        if (inText.endsWith(".0.0")) {
            return field;
        }
        if (field.equals("4.4.7") || field.equals("4.7.0") || field.startsWith("5.3.") || PROTOCOL_STATUS.matcher(field).matches()) {
            return inText;
        }
        if (field.equals("5.1.1")) {
            return textZero || inText.startsWith("5.5.") ? field : inText;
        }
        if (field.equals("5.1.3") && inText.startsWith("5.7.")) {
            return inText;
        }
        return field;
    }

    /** All enhanced status codes in the text, in order. */
    static java.util.List<String> allStatuses(String text) {
        java.util.List<String> out = new java.util.ArrayList<>();
        Matcher m = ENHANCED.matcher(text);
        while (m.find() && out.size() < 20) {
            out.add(m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3)));
        }
        return out;
    }

    /** The first SMTP reply code in the text, or "". */
    static String firstReplyCode(String text) {
        Matcher m = REPLY.matcher(text);
        return m.find() ? m.group(1) : "";
    }

    /** A status such as "5.1.1" normalised from a DSN Status field ("5.1.1 (user unknown)"). */
    static String normalise(String field) {
        Matcher m = CODE.matcher(field);
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
