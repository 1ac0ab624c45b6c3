package dev.signedmail.send;

import dev.signedmail.outbox.Outcome;
import java.io.IOException;

/**
 * One connection to the relay, used by one worker thread at a time. It sends finished, signed
 * bytes as they are — nothing may touch a message after DKIM — and turns the relay's answer into
 * an {@link Outcome}: 250 → sent, 5xx to RCPT or the message → failed, 4xx or a broken connection
 * → retry.
 *
 * <p>Where the relay offers PIPELINING (RFC 2920; Postfix does), MAIL, RCPT and DATA go out in one
 * write and their replies are read together: two round trips a message instead of four, which
 * halves the wait on a distant relay and, on loopback, the wake-ups of both ends.
 */
final class SmtpConnection implements AutoCloseable {

    private final SmtpRelay relay;
    private SmtpWire wire;
    /** Watches the socket while a message is on it. */
    private StallWatchdog.Watch watch;

    SmtpConnection(SmtpRelay relay) {
        this.relay = relay;
    }

    /** Sends to one recipient; {@code envelopeFrom} (MAIL FROM, where bounces go) may be null for the default. */
    Outcome send(byte[] signedMessage, String recipient, String envelopeFrom) {
        String from = envelopeFrom == null ? relay.envelopeFrom() : envelopeFrom;
        try {
            ensureOpen();
        } catch (SmtpWire.Refused e) {
            // the relay, not the recipient: never final, never a bounce
            closeQuietly();
            return Outcome.retry(e.reply.text());
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            return Outcome.retry("connection: " + describe(e));
        }
        watch.arm();
        try {
            Outcome o = transaction(signedMessage, "<" + recipient + ">", "<" + from + ">");
            if (o.reply() != null && o.reply().startsWith("421")) {
                closeQuietly(); // "closing transmission channel": open a fresh one next time
            }
            return o;
        } catch (IOException | RuntimeException e) {
            boolean stalled = watch != null && watch.stalled();
            closeQuietly();
            return Outcome.retry(stalled
                    ? "connection: the message was not through after " + relay.timeoutMillis() / 1000
                            + " s (smtp.timeout.seconds); the relay stopped reading or answering, connection closed"
                    : "connection: " + describe(e));
        } finally {
            if (watch != null) {
                watch.disarm();
            }
        }
    }

    /** One mail transaction (RFC 5321 §3.3); the connection is ready for the next one afterwards. */
    private Outcome transaction(byte[] message, String to, String from) throws IOException {
        if (wire.pipelining() && wire.chunking() && relay.chunking() && SmtpWire.crlfLines(message)) {
            return chunked(message, to, from);
        }
        SmtpReply mail;
        SmtpReply rcpt = null;
        SmtpReply data = null;
        if (wire.pipelining()) {
            wire.write("MAIL FROM:" + from);
            wire.write("RCPT TO:" + to);
            wire.write("DATA");
            wire.flush();
            mail = wire.reply();
            rcpt = wire.reply();
            data = wire.reply();
        } else {
            mail = wire.command("MAIL FROM:" + from);
            if (mail.positive()) {
                rcpt = wire.command("RCPT TO:" + to);
                if (rcpt.positive()) {
                    data = wire.command("DATA");
                }
            }
        }
        if (!mail.positive() || !rcpt.positive() || data.code() != 354) {
            if (data != null && data.code() == 354) {
                // RFC 2920 §3.1: a relay that takes DATA after refusing the sender or recipient gets no message
                wire.data(new byte[0]);
                wire.reply();
            }
            resetQuietly();
            if (!mail.positive()) {
                return refusedSender(mail, from);
            }
            SmtpReply refusal = rcpt.positive() ? data : rcpt;
            return refusal.transientFailure() ? Outcome.retry(refusal.text()) : Outcome.failed(refusal.text());
        }
        wire.data(message);
        SmtpReply done = wire.reply();
        if (done.positive()) {
            return Outcome.sent(done.text());
        }
        return done.transientFailure() ? Outcome.retry(done.text()) : Outcome.failed(done.text());
    }

    /**
     * One mail transaction in one write and one round trip (RFC 3030 with RFC 2920): MAIL, RCPT
     * and {@code BDAT <size> LAST} with the message, then the three replies. A relay that refuses
     * the sender or the recipient still reads the chunk and refuses it too (RFC 3030 §4.2), so
     * nothing is delivered; the refusal recorded is the first one.
     */
    private Outcome chunked(byte[] message, String to, String from) throws IOException {
        wire.write("MAIL FROM:" + from);
        wire.write("RCPT TO:" + to);
        wire.bdat(message);
        SmtpReply mail = wire.reply();
        SmtpReply rcpt = wire.reply();
        SmtpReply done = wire.reply();
        if (mail.positive() && rcpt.positive() && done.positive()) {
            return Outcome.sent(done.text());
        }
        resetQuietly(); // whatever the relay kept of a failed transaction goes
        if (!mail.positive()) {
            return refusedSender(mail, from);
        }
        SmtpReply refusal = rcpt.positive() ? done : rcpt;
        return refusal.transientFailure() ? Outcome.retry(refusal.text()) : Outcome.failed(refusal.text());
    }

    /**
     * A refused envelope sender is the relay's or our configuration's problem, not the
     * recipient's: retried, and never fed to the bounce path as if the address were bad.
     */
    private static Outcome refusedSender(SmtpReply mail, String from) {
        return mail.code() == 421 ? Outcome.retry(mail.text()) : Outcome.retry("the relay refused the sender " + from + ": " + mail.text());
    }

    /** Ends a failed transaction; a connection that cannot is closed (the next message opens another). */
    private void resetQuietly() {
        try {
            if (!wire.command("RSET").positive()) {
                closeQuietly();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
        }
    }

    private void ensureOpen() throws IOException {
        // no NOOP to test an open connection: one extra round trip per message. A broken
        // connection shows up as an exception on the next transaction, which closes it
        if (wire != null) {
            return;
        }
        wire = SmtpWire.open(relay);
        watch = StallWatchdog.shared().watch(wire.plainSocket(), relay.timeoutMillis());
    }

    /** The exception's message, or its class where it has none; on one line. */
    private static String describe(Exception e) {
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getClass().getSimpleName();
        }
        return msg.strip().replaceAll("\\s+", " ");
    }

    private void closeQuietly() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
        if (wire != null) {
            wire.close();
            wire = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
