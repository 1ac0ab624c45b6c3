package dev.signedmail.send;

import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.outbox.Outcome;
import dev.signedmail.release.Release;
import java.time.Instant;

/**
 * Alerts for the operators (a release held by the guardrails), signed and sent like any release:
 * through the same composer (S/MIME + DKIM) and relay, so an alert is as trustworthy as the news.
 */
public final class AlertMailer {
    private final String to;
    private final MessageComposer composer;
    private final SmtpRelay relay;

    public AlertMailer(Settings settings, MessageComposer composer, SmtpRelay relay) {
        String t = settings.string(Setting.ALERTS_TO);
        this.to = t == null || t.isBlank() ? null : t.strip();
        this.composer = composer;
        this.relay = relay;
    }

    /** Sends one alert; returns what happened, for the operator's screen and the audit log. */
    public String send(String subject, String markdown) {
        if (to == null) {
            return "no alert e-mailed: alerts.to is not set";
        }
        Instant now = Instant.now();
        // a negative id of its own, so each alert has its own Message-ID
        Release alert = new Release(-now.toEpochMilli(), subject, "", markdown, null, "alerts", now, "alert");
        try (SmtpConnection conn = new SmtpConnection(relay)) {
            byte[] message = composer.compose(alert, new MessageComposer.Recipient(0, to, "Press office operators"), now);
            Outcome o = conn.send(message, to, null);
            return o.status() == Outcome.Status.SENT ? "alert e-mailed to " + to
                    : "alert to " + to + " not delivered: " + o.reply();
        } catch (RuntimeException e) {
            return "alert to " + to + " not delivered: " + e.getMessage();
        }
    }
}
