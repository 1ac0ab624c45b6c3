package dev.signedmail.feedback;

import dev.signedmail.outbox.VerpAddresses;
import dev.signedmail.store.Database;
import dev.signedmail.subscriber.EmailAddresses;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what a bounce, complaint or refusal says to the subscriber it concerns, and records it:
 * hard bounce → suppressed; soft bounce → score (see {@link SuppressionPolicy}); complaint →
 * unsubscribed; auto-reply → nothing. A cause on our side (authentication, reputation, rate
 * limits…) alerts the operators and never penalises the subscriber.
 *
 * <p>The subscriber is found by the VERP token first (it names the outbox row, whatever the bounce
 * text says), then by the reported address.
 */
public final class FeedbackApplier {

    private static final Logger LOG = LoggerFactory.getLogger(FeedbackApplier.class);

    private final Database db;
    private final VerpAddresses verp;
    private final SuppressionPolicy policy;

    public FeedbackApplier(Database db, VerpAddresses verp, SuppressionPolicy policy) {
        this.db = db;
        this.verp = verp;
        this.policy = policy;
    }

    /**
     * Applies a parsed message once: returns false, changing nothing, when a message with the same
     * key was handled before (overlapping polls, a message left behind by a crash).
     */
    public boolean applyOnce(ParsedMail mail, String messageKey, String source) {
        return db.jdbi().inTransaction(h -> {
            if (!claim(h, messageKey, "applied")) {
                return false;
            }
            OptionalLong row = mail.verpToken().map(verp::rowOf).orElse(OptionalLong.empty());
            for (Finding f : mail.findings()) {
                apply(h, f, row, source, Instant.now());
            }
            return true;
        });
    }

    Database database() {
        return db;
    }

    /** Records that a message was handled without applying anything (unparsed, unsubscribe). */
    public boolean markHandled(String messageKey, String outcome) {
        return db.jdbi().inTransaction(h -> claim(h, messageKey, outcome));
    }

    /** A synchronous refusal at send time for one outbox row. */
    public void applySmtpRefusal(long outboxRowId, String recipient, String reply) {
        Finding f = SmtpReplyClassifier.classify(recipient, reply);
        db.jdbi().useTransaction(h -> apply(h, f, OptionalLong.of(outboxRowId), "smtp", Instant.now()));
    }

    private static boolean claim(Handle h, String key, String outcome) {
        int inserted = h.createUpdate("INSERT INTO feedback_messages (message_key, outcome, processed_at)"
                        + " SELECT CAST(:key AS VARCHAR(64)), CAST(:outcome AS VARCHAR(16)), CAST(:now AS TIMESTAMP WITH TIME ZONE) FROM (VALUES (1)) AS one (x)"
                        + " WHERE NOT EXISTS (SELECT 1 FROM feedback_messages WHERE message_key = :key)")
                .bind("key", key).bind("outcome", outcome).bind("now", Instant.now()).execute();
        return inserted == 1;
    }

    private void apply(Handle h, Finding f, OptionalLong outboxRow, String source, Instant now) {
        Optional<Long> subscriber = subscriberOf(h, f, outboxRow);
        String effect = "none";
        boolean ourSide = f.ourSide() || "auth-failure".equalsIgnoreCase(f.feedbackType());
        if (ourSide && (f.kind() == Kind.HARD || f.kind() == Kind.SOFT || f.kind() == Kind.COMPLAINT)) {
            effect = "alert";
            LOG.warn("delivery problem on our side ({} {} {}): {} — the subscriber is not penalised; check DKIM/SPF/DMARC,"
                    + " sending rate and reputation", f.reason().label(), f.status(), f.replyCode(), f.diagnostic());
        } else if (subscriber.isPresent()) {
            long id = subscriber.get();
            switch (f.kind()) {
                case HARD -> effect = setStatus(h, id, "suppressed", "hard bounce " + f.status(), now) ? "suppressed" : "none";
                case SOFT -> effect = softBounce(h, id, now);
                case COMPLAINT -> effect = setStatus(h, id, "unsubscribed",
                        "complaint (" + (f.feedbackType().isEmpty() ? "abuse" : f.feedbackType()) + ")", now)
                        ? "unsubscribed" : "none";
                default -> effect = "none";
            }
        }
        h.createUpdate("INSERT INTO feedback_events (subscriber_id, outbox_id, recipient, kind, reason, status, reply_code,"
                        + " feedback_type, our_side, effect, source, diagnostic, at) VALUES (:sub, :row, :rcpt, :kind, :reason,"
                        + " :status, :reply, :ftype, :ours, :effect, :source, :diag, :at)")
                .bind("sub", subscriber.orElse(null)).bind("row", outboxRow.isPresent() ? outboxRow.getAsLong() : null)
                .bind("rcpt", cut(f.recipient(), 320)).bind("kind", f.kind().label()).bind("reason", f.reason().label())
                .bind("status", cut(f.status(), 16)).bind("reply", cut(f.replyCode(), 3))
                .bind("ftype", cut(f.feedbackType(), 32)).bind("ours", ourSide).bind("effect", effect)
                .bind("source", source).bind("diag", cut(f.diagnostic(), 500)).bind("at", now).execute();
    }

    private Optional<Long> subscriberOf(Handle h, Finding f, OptionalLong outboxRow) {
        if (outboxRow.isPresent()) {
            Optional<Long> id = h.createQuery("SELECT subscriber_id FROM outbox WHERE id = :id")
                    .bind("id", outboxRow.getAsLong()).mapTo(Long.class).findOne();
            if (id.isPresent()) {
                return id;
            }
        }
        try {
            String email = EmailAddresses.normalise(f.recipient());
            return h.createQuery("SELECT id FROM subscribers WHERE email = :e").bind("e", email).mapTo(Long.class).findOne();
        } catch (EmailAddresses.Invalid e) {
            return Optional.empty();
        }
    }

    private String softBounce(Handle h, long id, Instant now) {
        Map<String, Object> row = h.createQuery("SELECT bounce_score, last_bounce_at FROM subscribers WHERE id = :id")
                .bind("id", id).mapToMap().one();
        double score = ((BigDecimal) row.get("bounce_score")).doubleValue();
        Object last = row.get("last_bounce_at");
        Instant lastAt = last instanceof OffsetDateTime o ? o.toInstant() : last instanceof java.sql.Timestamp t ? t.toInstant() : null;
        double next = policy.afterSoftBounce(score, lastAt, now);
        boolean counted = next != score || lastAt == null;
        h.createUpdate("UPDATE subscribers SET bounce_score = :s, last_bounce_at = CASE WHEN :counted THEN :now ELSE last_bounce_at END,"
                        + " updated_at = :now WHERE id = :id")
                .bind("s", BigDecimal.valueOf(next)).bind("counted", counted).bind("now", now).bind("id", id).execute();
        if (policy.suppresses(next) && setStatus(h, id, "suppressed", "soft bounces reached " + next, now)) {
            return "suppressed";
        }
        return "scored";
    }

    /** Moves an active subscriber to a state; records the event. False when nothing changed. */
    private static boolean setStatus(Handle h, long id, String status, String why, Instant now) {
        int n = h.createUpdate("UPDATE subscribers SET status = :st, updated_at = :now WHERE id = :id AND status = 'active'")
                .bind("st", status).bind("now", now).bind("id", id).execute();
        if (n > 0) {
            h.createUpdate("INSERT INTO subscription_events (subscriber_id, action, topic, via, detail, at)"
                            + " VALUES (:id, :action, NULL, :via, :detail, :at)")
                    .bind("id", id).bind("action", status).bind("via", why.startsWith("complaint") ? "complaint" : "bounce")
                    .bind("detail", why).bind("at", now).execute();
        }
        return n > 0;
    }

    private static String cut(String s, int max) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        return s.length() > max ? s.substring(0, max) : s;
    }
}
