package dev.signedmail.feedback;

/**
 * Classifies a relay's synchronous refusal at send time ("550 5.1.1 user unknown") the same way a
 * bounce message would be, so a 5xx during the send feeds the same suppression path as a DSN.
 * The refusal came in answer to our RCPT TO or DATA, so the command is known to be one of those.
 */
public final class SmtpReplyClassifier {
    private SmtpReplyClassifier() {
    }

    public static Finding classify(String recipient, String reply) {
        String text = reply == null ? "" : reply;
        String replyCode = StatusCodes.firstReplyCode(text);
        String status = StatusCodes.bestStatus(text);
        SmtpCommand command = SmtpCommand.find(text);
        if (command == SmtpCommand.NONE) {
            command = SmtpCommand.RCPT;
        }
        Reason reason = ReasonClassifier.decide(text, status, replyCode, command, false);
        if (reason == null) {
            reason = Reason.UNDEFINED;
        }
        Kind kind = ReasonClassifier.kindOf(reason, status, replyCode);
        String diagnostic = text.length() > 500 ? text.substring(0, 500) : text;
        return new Finding(recipient, status, replyCode, kind, reason, "", diagnostic);
    }
}
