package dev.signedmail.feedback;

/** What a finding means for the subscriber's address. */
public enum Kind {
    /** Permanent address error (unknown user or host, moved, domain accepts no mail): stop sending. */
    HARD,
    /** Any other failure, temporary or permanent: the address itself may still be good. */
    SOFT,
    /** A feedback-loop report: the subscriber (or their provider) called our message spam or asked out. */
    COMPLAINT,
    /** An out-of-office or other automatic reply; never a bounce. */
    AUTO_REPLY,
    /** A positive DSN (Action: delivered/relayed/expanded). */
    DELIVERED,
    /** The message is no bounce, complaint or auto-reply (only used for a whole file). */
    NONE;

    /** The lower-case, hyphenated name used in JSON output ({@code auto-reply}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
