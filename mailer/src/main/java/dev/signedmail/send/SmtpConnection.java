package dev.signedmail.send;

import dev.signedmail.outbox.Outcome;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * One connection to the relay, used by one worker thread at a time. It sends finished, signed
 * bytes as they are — nothing may touch a message after DKIM — and turns the relay's answer into
 * an {@link Outcome}: 250 → sent, 5xx → failed, 4xx or a broken connection → retry.
 */
final class SmtpConnection implements AutoCloseable {

    private final SmtpRelay relay;
    private Transport transport;
    /** Watches the socket while a message is on it; null for implicit TLS (Jakarta Mail's write timeout). */
    private StallWatchdog.Watch watch;

    SmtpConnection(SmtpRelay relay) {
        this.relay = relay;
    }

    /** Sends to one recipient; {@code envelopeFrom} (MAIL FROM, where bounces go) may be null for the default. */
    Outcome send(byte[] signedMessage, String recipient, String envelopeFrom) {
        try {
            ensureOpen();
            InternetAddress to = new InternetAddress(recipient, false);
            RawMessage message = new RawMessage(relay, signedMessage);
            if (envelopeFrom != null) {
                message.setEnvelopeFrom(envelopeFrom);
            }
            if (watch != null) {
                watch.arm();
            }
            try {
                transport.sendMessage(message, new Address[] {to});
            } finally {
                if (watch != null) {
                    watch.disarm();
                }
            }
            String reply = transport instanceof SMTPTransport t ? t.getLastServerResponse() : "250";
            return Outcome.sent(reply == null ? "250" : reply.strip());
        } catch (MessagingException e) {
            int code = replyCode(e);
            String text = watch != null && watch.stalled()
                    ? "connection: the message was not through after " + relay.timeoutMillis() / 1000
                            + " s (smtp.timeout.seconds); the relay stopped reading or answering, connection closed"
                    : describe(e, code);
            if (code >= 500 && code < 600) {
                return Outcome.failed(text);
            }
            if (code < 400 || code == 421) {
                // no reply code, or 421 "closing": the connection is gone; open a fresh one next time
                closeQuietly();
            }
            return Outcome.retry(text);
        }
    }

    private void ensureOpen() throws MessagingException {
        // Not transport.isConnected(): that sends a NOOP per call, one extra round trip per message.
        // A broken connection shows up as an exception without a reply code, and is closed there.
        if (transport != null) {
            return;
        }
        transport = relay.session().getTransport();
        java.net.Socket socket;
        try {
            transport.connect(relay.host(), relay.port(), relay.user(), relay.password());
        } finally {
            socket = SmtpRelay.NoDelaySocketFactory.takeMadeHere();
        }
        if (socket != null) {
            watch = StallWatchdog.shared().watch(socket, relay.timeoutMillis());
        }
    }

    /** The SMTP reply code carried anywhere in the exception chain, or 0. */
    static int replyCode(Exception e) {
        Exception cur = e;
        for (int depth = 0; cur != null && depth < 8; depth++) {
            if (cur instanceof org.eclipse.angus.mail.smtp.SMTPAddressFailedException a) {
                return a.getReturnCode();
            }
            if (cur instanceof org.eclipse.angus.mail.smtp.SMTPSendFailedException s) {
                return s.getReturnCode();
            }
            if (cur instanceof org.eclipse.angus.mail.smtp.SMTPSenderFailedException s) {
                return s.getReturnCode();
            }
            cur = cur instanceof MessagingException m ? m.getNextException() : null;
        }
        return 0;
    }

    private static String describe(Exception e, int code) {
        Exception cur = e;
        String msg = e.getMessage();
        for (int depth = 0; cur != null && depth < 8; depth++) {
            if (cur.getMessage() != null && !cur.getMessage().isBlank()) {
                msg = cur.getMessage();
            }
            cur = cur instanceof MessagingException m ? m.getNextException() : null;
        }
        String text = msg == null ? e.getClass().getSimpleName() : msg.strip().replaceAll("\\s+", " ");
        return code > 0 || text.matches("^[245]\\d\\d.*") ? text : "connection: " + text;
    }

    private void closeQuietly() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException ignored) {
                // closing a broken connection: nothing to save
            }
            transport = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    /**
     * A message whose bytes are final: Jakarta Mail writes them out verbatim instead of
     * serialising (and possibly re-encoding) a MIME tree, which would break both signatures.
     */
    static final class RawMessage extends SMTPMessage {
        private final byte[] bytes;

        RawMessage(SmtpRelay relay, byte[] bytes) {
            super(relay.session());
            this.bytes = bytes;
        }

        @Override
        public void writeTo(OutputStream os) throws IOException {
            os.write(bytes);
        }

        @Override
        public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
            os.write(bytes);
        }

        @Override
        public int getSize() {
            return bytes.length;
        }
    }
}
