package dev.signedmail.feedback;

/**
 * Classifies a relay's synchronous refusal at send time ("550 5.1.1 user unknown") the same way a
 * bounce message would be, so a 5xx during the send feeds the same suppression path as a DSN.
 */
public final class SmtpReplyClassifier {
    private SmtpReplyClassifier() {
    }

    public static Finding classify(String recipient, String reply) {
        String text = reply == null ? "" : reply;
        String replyCode = StatusCodes.firstReplyCode(text);
        String status = StatusCodes.bestStatus(text);
        replyCode = replyCode == null ? "" : replyCode;
        status = status == null ? "" : status;
        Reason reason = ReasonClassifier.classify(text, status, replyCode);
        Kind kind = ReasonClassifier.kindOf(reason, status, replyCode);
        String diagnostic = text.length() > 500 ? text.substring(0, 500) : text;
        return new Finding(recipient, status, replyCode, kind, reason, "", diagnostic);
    }
}
