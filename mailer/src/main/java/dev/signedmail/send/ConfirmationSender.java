package dev.signedmail.send;

import dev.signedmail.outbox.Outcome;
import dev.signedmail.subscriber.Confirmations;
import java.time.Instant;

/**
 * Sends the signed double opt-in e-mails that the subscribe form queued. It runs on the sending
 * side (CLI, cron), never in the web server, because the web side holds no signing keys.
 */
public final class ConfirmationSender {

    private final Confirmations confirmations;
    private final MessageComposer composer;
    private final SmtpRelay relay;

    public ConfirmationSender(Confirmations confirmations, MessageComposer composer, SmtpRelay relay) {
        this.confirmations = confirmations;
        this.composer = composer;
        this.relay = relay;
    }

    /** What one run did. */
    public record Result(int sent, int notSent) {
    }

    /** Sends every queued confirmation e-mail (up to {@code limit}); a refused one is retried next run. */
    public Result sendQueued(int limit) {
        int sent = 0;
        int notSent = 0;
        try (SmtpConnection conn = new SmtpConnection(relay)) {
            for (Confirmations.Request r : confirmations.unsent(limit)) {
                byte[] message = composer.composeConfirmation(r, confirmations.token(r.id()), Instant.now());
                Outcome o = conn.send(message, r.email(), null);
                if (o.status() == Outcome.Status.SENT) {
                    confirmations.markSent(r.id());
                    sent++;
                } else {
                    notSent++;
                }
            }
        }
        return new Result(sent, notSent);
    }
}
