package dev.signedmail.feedback;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * ARF feedback-loop reports, RFC 5965 (and RFC 6591 for authentication failures):
 * {@code Content-Type: multipart/report; report-type=feedback-report} whose second part is
 * {@code message/feedback-report} with fields such as
 * <pre>
 *   Feedback-Type: abuse | fraud | virus | other | not-spam | opt-out | auth-failure
 *   Original-Rcpt-To: &lt;user@example.com&gt;      (RFC 5965 3.2, optional, may repeat)
 *   Removal-Recipient: user@example.com          (RFC 6650 opt-out reports)
 * </pre>
 * and a third part with the original message or its headers. Providers often redact the
 * recipient; then the original's To is used, and when that is missing too the finding has "".
 */
final class FeedbackReportReader {
    private FeedbackReportReader() {
    }

    static boolean applies(MailView v) {
        return !v.feedbackReports.isEmpty() || v.reportType.equals("feedback-report") || appleUnsubscribe(v);
    }

    /** Apple Mail's one-tap unsubscribe: a mail to our List-Unsubscribe mailto with X-Apple-Unsubscribe: true. */
    private static boolean appleUnsubscribe(MailView v) {
        return v.headers.get("x-apple-unsubscribe").equalsIgnoreCase("true");
    }

    static List<Finding> read(MailView v) {
        String report = v.feedbackReports.isEmpty() ? v.reportText : String.join("\n", v.feedbackReports);
        if (appleUnsubscribe(v) && v.feedbackReports.isEmpty()) {
            String from = Addresses.first(v.headers.get("from"));
            return List.of(new Finding(from, "", "", Kind.COMPLAINT, Reason.FEEDBACK, "opt-out", "X-Apple-Unsubscribe: true"));
        }
        Headers f = Headers.parse(report.strip());
        String type = f.get("feedback-type").toLowerCase(Locale.ROOT).strip();
        if (type.isEmpty()) {
            type = "abuse"; // RFC 5965 makes it required; a report without one is still a complaint
        }
        Set<String> recipients = new LinkedHashSet<>();
        for (String field : new String[] {"original-rcpt-to", "removal-recipient"}) {
            for (String value : f.all(field)) {
                recipients.addAll(Addresses.all(value));
            }
        }
        if (recipients.isEmpty()) {
            recipients.addAll(Addresses.all(v.original.get("to")));
        }
        List<Finding> out = new ArrayList<>();
        String diag = "Feedback-Type: " + type;
        if (recipients.isEmpty()) {
            out.add(new Finding("", "", "", Kind.COMPLAINT, Reason.FEEDBACK, type, diag));
        }
        for (String r : recipients) {
            out.add(new Finding(r, "", "", Kind.COMPLAINT, Reason.FEEDBACK, type, diag));
        }
        return out;
    }
}
