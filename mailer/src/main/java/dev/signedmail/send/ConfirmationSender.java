package dev.signedmail.send;

import dev.signedmail.outbox.Outcome;
import dev.signedmail.subscriber.Confirmations;
import dev.signedmail.subscriber.Subscriber;
import java.time.Instant;
import java.util.Optional;

/**
 * Sends the signed e-mails that the public pages queued: double opt-in confirmations (the subscribe
 * form) and personal links (the generic preferences page). It runs on the sending side (CLI, cron),
 * never in the web server, because the web side holds no signing keys.
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

    /**
     * What one run did.
     *
     * @param sent e-mails the relay accepted
     * @param notSent e-mails the relay refused, retried next run
     * @param dropped personal-link requests not sent because the subscriber is no longer active
     */
    public record Result(int sent, int notSent, int dropped) {
    }

    /** Sends every queued e-mail (up to {@code limit}); a refused one is retried next run. */
    public Result sendQueued(int limit) {
        int sent = 0;
        int notSent = 0;
        int dropped = 0;
        try (SmtpConnection conn = new SmtpConnection(relay)) {
            for (Confirmations.Request r : confirmations.unsent(limit)) {
                byte[] message;
                if (r.kind() == Confirmations.Kind.MANAGE) {
                    // checked again now, not only when queued: a send never mails anyone who is not active
                    Optional<Subscriber> s = confirmations.manageRecipient(r);
                    if (s.isEmpty()) {
                        confirmations.cancel(r);
                        dropped++;
                        continue;
                    }
                    message = composer.composeManageLink(new MessageComposer.Recipient(s.get().id(), s.get().email(),
                            s.get().name()), s.get().topics(), r.id(), Instant.now());
                } else {
                    message = composer.composeConfirmation(r, confirmations.token(r.id()), Instant.now());
                }
                Outcome o = conn.send(message, r.email(), null);
                if (o.status() == Outcome.Status.SENT) {
                    confirmations.markSent(r.id());
                    sent++;
                } else {
                    notSent++;
                }
            }
        }
        return new Result(sent, notSent, dropped);
    }
}
