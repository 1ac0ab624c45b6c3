package dev.signedmail.cron;

import dev.signedmail.store.Database;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A named lease in the {@code control} table: one holder at a time until it expires. Taking it is
 * one conditional UPDATE, which the database serialises, so two processes cannot both win. A
 * holder that dies (kill -9, power cut) blocks others only until the expiry.
 */
public final class Lease {
    private final Database db;
    private final String name;
    private final String holder;
    private final Duration ttl;
    private final Object lock = new Object();
    private volatile long nextRenewal;

    public Lease(Database db, String name, String holder, Duration ttl) {
        this.db = db;
        this.name = name;
        this.holder = holder;
        this.ttl = ttl;
    }

    public boolean acquire() {
        Instant now = Instant.now();
        boolean won = db.jdbi().withHandle(h -> h.createUpdate("UPDATE control SET state = :holder, expires_at = :exp,"
                        + " updated_at = :now WHERE name = :name AND (state IS NULL OR expires_at IS NULL OR expires_at < :now)")
                .bind("holder", holder).bind("exp", now.plus(ttl)).bind("now", now).bind("name", name).execute()) == 1;
        nextRenewal = System.nanoTime() + ttl.toNanos() / 4;
        return won;
    }

    /** Extends the lease; false when it was lost (expired and taken by another run). */
    public boolean renew() {
        Instant now = Instant.now();
        return db.jdbi().withHandle(h -> h.createUpdate("UPDATE control SET expires_at = :exp, updated_at = :now"
                        + " WHERE name = :name AND state = :holder")
                .bind("holder", holder).bind("exp", now.plus(ttl)).bind("now", now).bind("name", name).execute()) == 1;
    }

    /** Renews at most every quarter of the lease time; cheap to call often. False when the lease was lost. */
    public boolean renewIfDue() {
        if (System.nanoTime() - nextRenewal < 0) {
            return true;
        }
        synchronized (lock) {
            if (System.nanoTime() - nextRenewal < 0) {
                return true;
            }
            nextRenewal = System.nanoTime() + ttl.toNanos() / 4;
            return renew();
        }
    }

    public void release() {
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE control SET state = NULL, expires_at = NULL, updated_at = :now"
                        + " WHERE name = :name AND state = :holder")
                .bind("holder", holder).bind("now", Instant.now()).bind("name", name).execute());
    }

    /** Who holds it and until when, for the note a second run prints. */
    public String describeHolder() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT state, expires_at FROM control WHERE name = :name")
                .bind("name", name).mapToMap().findOne()
                .map(Lease::describe).orElse("nobody"));
    }

    private static String describe(Map<String, Object> m) {
        Object exp = m.get("expires_at");
        String until = exp instanceof OffsetDateTime t ? t.toInstant().toString() : String.valueOf(exp);
        return m.get("state") + " until " + until;
    }
}
