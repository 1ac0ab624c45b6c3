package dev.signedmail.outbox;

/**
 * The relay's answer for one message. {@code SENT} only after a 250; {@code FAILED} for a
 * permanent (5xx) refusal; {@code RETRY} for 4xx and connection trouble, delivered on a later run.
 */
public record Outcome(Status status, String reply) {
    public enum Status {
        SENT("sent"), FAILED("failed"), RETRY("retry");

        public final String column;

        Status(String column) {
            this.column = column;
        }
    }

    public static Outcome sent(String reply) {
        return new Outcome(Status.SENT, reply);
    }

    public static Outcome failed(String reply) {
        return new Outcome(Status.FAILED, reply);
    }

    public static Outcome retry(String reply) {
        return new Outcome(Status.RETRY, reply);
    }
}
