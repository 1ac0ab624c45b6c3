package dev.signedmail.feedback;

/**
 * One recipient's outcome as read from one message.
 *
 * @param recipient    the address the report is about (lower-cased domain not enforced), or "" when
 *                     the report discloses none (some ARF reports redact it)
 * @param status       enhanced status code ("5.1.1"), or "" when none is known
 * @param replyCode    SMTP reply code ("550"), or ""
 * @param kind         hard/soft/complaint/auto-reply/delivered
 * @param reason       classified reason
 * @param feedbackType ARF Feedback-Type (abuse, opt-out, auth-failure, ...) for complaints, else ""
 * @param diagnostic   the text the classification was based on (trimmed, bounded), for operators
 */
public record Finding(String recipient, String status, String replyCode, Kind kind, Reason reason,
                      String feedbackType, String diagnostic) {

    /** Whether the cause lies with the sender (see {@link Reason#ourSide()}). */
    public boolean ourSide() {
        return reason.ourSide();
    }
}
