package dev.signedmail.subscriber;

import dev.signedmail.store.Database;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * Changes to what a subscriber receives, each recorded as a subscription event. Every change is
 * idempotent: unsubscribing twice is the same as once, which one-click unsubscribe (RFC 8058)
 * requires, since mail providers may POST more than once.
 */
public final class Subscriptions {

    private final Database db;

    public Subscriptions(Database db) {
        this.db = db;
    }

    /** A subscriber as the preferences page shows them. */
    public record View(long id, String email, String status, Set<String> topics, Set<String> allTopics) {
    }

    public Optional<View> view(long subscriberId) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT id, email, status FROM subscribers WHERE id = :id")
                .bind("id", subscriberId)
                .map((rs, ctx) -> new View(rs.getLong("id"), rs.getString("email"), rs.getString("status"),
                        topicsOf(h, subscriberId), allTopics(h)))
                .findOne());
    }

    /** Stops one topic; the last topic gone means unsubscribed. Returns false for an unknown subscriber. */
    public boolean unsubscribe(long subscriberId, String topic, String via) {
        return db.jdbi().inTransaction(h -> {
            if (!exists(h, subscriberId)) {
                return false;
            }
            Instant now = Instant.now();
            int removed = h.createUpdate("DELETE FROM subscriber_topics WHERE subscriber_id = :id AND topic = :topic")
                    .bind("id", subscriberId).bind("topic", topic).execute();
            if (removed > 0) {
                event(h, subscriberId, "unsubscribed", topic, via, null, now);
            }
            if (topicsOf(h, subscriberId).isEmpty()) {
                markUnsubscribed(h, subscriberId, via, now);
            }
            return true;
        });
    }

    /** Stops everything. Returns false for an unknown subscriber. */
    public boolean unsubscribeAll(long subscriberId, String via) {
        return db.jdbi().inTransaction(h -> {
            if (!exists(h, subscriberId)) {
                return false;
            }
            markUnsubscribed(h, subscriberId, via, Instant.now());
            return true;
        });
    }

    /** Lifts a suppression (an operator decided the address works again); the bounce score starts from 0. */
    public boolean unsuppress(String email, String by) {
        return db.jdbi().inTransaction(h -> {
            Optional<Long> id = h.createQuery("SELECT id FROM subscribers WHERE email = :e AND status = 'suppressed'")
                    .bind("e", email).mapTo(Long.class).findOne();
            if (id.isEmpty()) {
                return false;
            }
            Instant now = Instant.now();
            h.createUpdate("UPDATE subscribers SET status = 'active', bounce_score = 0, last_bounce_at = NULL, updated_at = :now"
                    + " WHERE id = :id").bind("now", now).bind("id", id.get()).execute();
            event(h, id.get(), "unsuppressed", null, by, null, now);
            return true;
        });
    }

    /** Sets the topics from the preferences page; none selected means unsubscribed from all. */
    public boolean setTopics(long subscriberId, Set<String> wanted, String via) {
        return db.jdbi().inTransaction(h -> {
            if (!exists(h, subscriberId)) {
                return false;
            }
            Instant now = Instant.now();
            Set<String> known = allTopics(h);
            Set<String> clean = new TreeSet<>();
            for (String t : wanted) {
                if (known.contains(t)) {
                    clean.add(t);
                }
            }
            if (clean.isEmpty()) {
                markUnsubscribed(h, subscriberId, via, now);
                return true;
            }
            Set<String> before = topicsOf(h, subscriberId);
            if (before.equals(clean) && "active".equals(status(h, subscriberId))) {
                return true;
            }
            h.createUpdate("DELETE FROM subscriber_topics WHERE subscriber_id = :id").bind("id", subscriberId).execute();
            for (String t : clean) {
                h.createUpdate("INSERT INTO subscriber_topics (subscriber_id, topic) VALUES (:id, :t)")
                        .bind("id", subscriberId).bind("t", t).execute();
            }
            // choosing topics again re-subscribes someone who had unsubscribed, but never lifts a suppression
            h.createUpdate("UPDATE subscribers SET status = 'active', updated_at = :now WHERE id = :id AND status = 'unsubscribed'")
                    .bind("id", subscriberId).bind("now", now).execute();
            event(h, subscriberId, "topics-changed", String.join(",", clean), via, null, now);
            return true;
        });
    }

    private static void markUnsubscribed(Handle h, long id, String via, Instant now) {
        int changed = h.createUpdate("UPDATE subscribers SET status = 'unsubscribed', updated_at = :now"
                        + " WHERE id = :id AND status = 'active'")
                .bind("id", id).bind("now", now).execute();
        if (changed > 0) {
            event(h, id, "unsubscribed", null, via, null, now);
        }
    }

    static void event(Handle h, long id, String action, String topic, String via, String detail, Instant now) {
        h.createUpdate("INSERT INTO subscription_events (subscriber_id, action, topic, via, detail, at)"
                        + " VALUES (:id, :action, :topic, :via, :detail, :at)")
                .bind("id", id).bind("action", action).bind("topic", topic).bind("via", via)
                .bind("detail", detail).bind("at", now).execute();
    }

    private static boolean exists(Handle h, long id) {
        return h.createQuery("SELECT COUNT(*) FROM subscribers WHERE id = :id").bind("id", id).mapTo(Integer.class).one() > 0;
    }

    private static String status(Handle h, long id) {
        return h.createQuery("SELECT status FROM subscribers WHERE id = :id").bind("id", id).mapTo(String.class).one();
    }

    private static Set<String> topicsOf(Handle h, long id) {
        List<String> l = h.createQuery("SELECT topic FROM subscriber_topics WHERE subscriber_id = :id ORDER BY topic")
                .bind("id", id).mapTo(String.class).list();
        return new TreeSet<>(l);
    }

    /** Every topic anyone subscribes to or any release was written for. */
    private static Set<String> allTopics(Handle h) {
        return new TreeSet<>(h.createQuery("SELECT DISTINCT topic FROM subscriber_topics"
                + " UNION SELECT DISTINCT topic FROM releases").mapTo(String.class).list());
    }
}
