package dev.signedmail.feedback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 3464 delivery status notifications: {@code multipart/report; report-type=delivery-status}
 * with a {@code message/delivery-status} part made of one per-message block and one block per
 * recipient (RFC 3464 2.3):
 * <pre>
 *   per-recipient-fields = [ original-recipient-field CRLF ] final-recipient-field CRLF
 *                          action-field CRLF status-field CRLF [ remote-mta-field CRLF ]
 *                          [ diagnostic-code-field CRLF ] ...
 *   final-recipient-field = "Final-Recipient" ":" address-type ";" generic-address   (rfc822; user@host)
 *   diagnostic-code-field = "Diagnostic-Code" ":" diagnostic-type ";" *text           (smtp; 550 5.1.1 ...)
 * </pre>
 * Blocks not separated by blank lines (seen in the wild) are split at each Final-Recipient.
 */
final class DeliveryStatusReader {
    private static final java.util.regex.Pattern FINAL_RECIPIENT =
            java.util.regex.Pattern.compile("(?im)^final-recipient:\\s*\\S");

    /** The type before the ";" of an address or diagnostic field ("rfc822", "smtp", "X-Unix"). */
    private static final java.util.regex.Pattern TYPE = java.util.regex.Pattern.compile("\\s*[A-Za-z0-9-]+\\s*");

    private DeliveryStatusReader() {
    }

    static List<Finding> read(MailView v) {
        List<Finding> out = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        List<String> reports = new ArrayList<>(v.deliveryStatus);
        if (reports.isEmpty() && FINAL_RECIPIENT.matcher(v.reportText).find()) {
            reports.add(v.reportText); // a DSN pasted into a plain-text bounce, or MIME structure lost
        }
        for (String dsn : reports) {
            for (String block : recipientBlocks(dsn)) {
                if (out.size() >= BounceParser.MAX_RECIPIENTS) {
                    return out;
                }
                Headers f = Headers.parse(block);
                String recipient = Addresses.first(stripType(f.get("final-recipient")));
                if (recipient.isEmpty()) {
                    recipient = Addresses.first(stripType(f.get("original-recipient")));
                }
                if (recipient.isEmpty()) {
                    recipient = Addresses.first(f.get("x-actual-recipient"));
                }
                if (recipient.isEmpty() || seen.putIfAbsent(Addresses.key(recipient), true) != null) {
                    continue;
                }
                String rawDiag = String.join(" ", f.all("diagnostic-code"));
                String diag = stripType(rawDiag);
                String diagType = typeOf(rawDiag);
                String context = v.reportBlocks().around(recipient);
                if (diag.isEmpty()) {
                    // no Diagnostic-Code: the human-readable part usually says "user@host: 550 ..." on its own line
                    diag = v.reportBlocks().entryOf(recipient);
                }
                boolean noRemoteMta = f.get("remote-mta").isBlank();
                out.add(new Evidence(recipient, f.get("status"), diag, context, f.get("action"), diagType, noRemoteMta).toFinding());
            }
        }
        return out;
    }

    /** "smtp; 550 ..." → "smtp", "X-Unix; ..." → "x-unix"; "" when the value has no type. */
    static String typeOf(String value) {
        int semi = value.indexOf(';');
        if (semi > 0 && semi < 20 && TYPE.matcher(value.substring(0, semi)).matches()) {
            return value.substring(0, semi).strip().toLowerCase(java.util.Locale.ROOT);
        }
        return "";
    }

    /** "rfc822; user@host" → "user@host", "smtp; 550 ..." → "550 ...". */
    static String stripType(String value) {
        int semi = value.indexOf(';');
        if (semi > 0 && semi < 20 && TYPE.matcher(value.substring(0, semi)).matches()) {
            return value.substring(semi + 1).strip();
        }
        return value.strip();
    }

    private static List<String> recipientBlocks(String dsn) {
        List<String> blocks = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean curHasFinal = false;
        boolean curHasOriginal = false;
        boolean curHasStatus = false;
        for (String line : TextBlocks.LINE_BREAK.split(dsn, -1)) {
            boolean blank = line.isBlank();
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            // Original-Recipient may come before or after Final-Recipient (RFC 3464 gives no order in
            // practice); it only starts the next recipient once this one has its Status
            boolean newRecipient = lower.startsWith("final-recipient:") && curHasFinal
                    || lower.startsWith("original-recipient:") && (curHasOriginal || curHasFinal && curHasStatus);
            if (blank || newRecipient) {
                if (cur.length() > 0) {
                    blocks.add(cur.toString());
                }
                cur.setLength(0);
                curHasFinal = false;
                curHasOriginal = false;
                curHasStatus = false;
                if (blank) {
                    continue;
                }
            }
            cur.append(line).append('\n');
            curHasFinal |= lower.startsWith("final-recipient:");
            curHasOriginal |= lower.startsWith("original-recipient:");
            curHasStatus |= lower.startsWith("status:");
        }
        if (cur.length() > 0) {
            blocks.add(cur.toString());
        }
        return blocks;
    }
}
