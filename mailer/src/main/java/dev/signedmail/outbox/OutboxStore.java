package dev.signedmail.outbox;

import dev.signedmail.Problem;
import dev.signedmail.store.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The per-recipient outbox. The audience is snapshotted once, in one transaction, before any
 * message leaves; afterwards rows only move forward, and a row is 'sent' only after the relay's
 * 250. A rerun reads what is still pending or to retry, so nothing is lost and nothing that was
 * acknowledged is sent again.
 */
public final class OutboxStore {

    private final Database db;

    public OutboxStore(Database db) {
        this.db = db;
    }

    /**
     * Fixes the audience of a release if that has not happened yet. Returns the number of rows
     * created now (0 when an earlier run already took the snapshot).
     */
    public int snapshot(long releaseId) {
        return db.jdbi().inTransaction(h -> {
            // lock the release row so two senders cannot both snapshot it
            Map<String, Object> r = h.createQuery("SELECT snapshot_at, status, retracts_id FROM releases WHERE id = :id FOR UPDATE")
                    .bind("id", releaseId).mapToMap().one();
            if (r.get("snapshot_at") != null) {
                return 0;
            }
            // the send path checked the approval a moment ago; an edit since then made it a draft again
            if (!"approved".equals(r.get("status")) && !"scheduled".equals(r.get("status"))) {
                throw new Problem("release " + releaseId + " became " + r.get("status")
                        + " while its send was starting; nothing was sent");
            }
            Instant now = Instant.now();
            int rows = h.createUpdate(Database.sql(r.get("retracts_id") == null ? "outbox.snapshot" : "outbox.snapshot_retraction"))
                    .bind("release", releaseId).bind("now", now).execute();
            h.createUpdate("UPDATE releases SET snapshot_at = :now, status = 'sending', updated_at = :now WHERE id = :id")
                    .bind("now", now).bind("id", releaseId).execute();
            return rows;
        });
    }

    /**
     * Cancels rows still to deliver whose subscriber has unsubscribed or been suppressed since the
     * snapshot; called before every batch so the send path never mails such an address.
     */
    public int cancelInactive(long releaseId) {
        return db.jdbi().withHandle(h -> h.createUpdate(Database.sql("outbox.cancel_inactive"))
                .bind("release", releaseId).bind("now", Instant.now()).execute());
    }

    /**
     * Claims up to {@code limit} rows for {@code owner} with a lease: rows still to deliver, due,
     * and not leased by a live sender. Rows whose sender is known to be dead (a process on this
     * host that no longer exists) are taken at once, without waiting for the lease to run out.
     */
    public List<OutboxRow> claim(long releaseId, String owner, int limit, Duration lease) {
        List<String> dead = deadOwners(releaseId);
        return db.jdbi().inTransaction(h -> {
            Instant now = Instant.now();
            List<Long> ids = h.createQuery(Database.sql("outbox.claimable"))
                    .bind("release", releaseId).bind("now", now).bind("limit", limit)
                    .bindList("dead", dead.isEmpty() ? List.of("-") : dead)
                    .mapTo(Long.class).list();
            if (ids.isEmpty()) {
                return List.of();
            }
            h.createUpdate(Database.sql("outbox.lease")).bind("owner", owner).bind("until", now.plus(lease))
                    .bindList("ids", ids).execute();
            return h.createQuery(Database.sql("outbox.rows")).bindList("ids", ids)
                    .map((rs, ctx) -> new OutboxRow(rs.getLong("id"), rs.getLong("release_id"), rs.getLong("subscriber_id"),
                            rs.getString("email"), rs.getString("name"), rs.getString("status"), rs.getInt("attempts"),
                            instant(rs.getObject("first_attempt_at"))))
                    .list();
        });
    }

    /** Lease owners of this release that ran on this host in a process that has ended. */
    private List<String> deadOwners(long releaseId) {
        List<String> owners = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT DISTINCT lease_owner FROM outbox WHERE release_id = :r AND lease_owner IS NOT NULL"
                                + " AND status IN ('pending', 'retry')")
                .bind("r", releaseId).mapTo(String.class).list());
        List<String> dead = new java.util.ArrayList<>();
        for (String o : owners) {
            if (LeaseOwner.diedOnThisHost(o)) {
                dead.add(o);
            }
        }
        return dead;
    }

    /** When something of this release may next become claimable for {@code owner}; empty when nothing is left. */
    public java.util.Optional<Instant> nextWake(long releaseId, String owner) {
        return db.jdbi().withHandle(h -> h.createQuery(Database.sql("outbox.next_wake"))
                .bind("release", releaseId).bind("owner", owner).bind("now", Instant.now())
                .map((rs, ctx) -> instant(rs.getObject("wake"))).findOne().flatMap(java.util.Optional::ofNullable));
    }

    /**
     * Extends {@code owner}'s lease on the rows {@code ids} it still holds to {@code lease} from now;
     * returns how many it still held. A sender calls this while it works, so its lease expires only
     * when it dies, not while its claimed rows wait in its queue.
     */
    public int renewLeases(String owner, java.util.Collection<Long> ids, Duration lease) {
        if (ids.isEmpty()) {
            return 0;
        }
        return db.jdbi().withHandle(h -> h.createUpdate(Database.sql("outbox.renew_leases"))
                .bind("owner", owner).bind("until", Instant.now().plus(lease)).bindList("ids", List.copyOf(ids))
                .execute());
    }

    /** Gives back the unsent rows {@code owner} still holds, so another sender can take them at once. */
    public void releaseLeases(long releaseId, String owner) {
        db.jdbi().useHandle(h -> h.createUpdate(Database.sql("outbox.release_leases"))
                .bind("release", releaseId).bind("owner", owner).execute());
    }

    /** Records the relay's answer for one row; committed before this returns. {@code next}: when to retry, or null. */
    public void record(long rowId, Outcome outcome, Instant next) {
        String reply = outcome.reply() == null ? null
                : outcome.reply().length() > 1000 ? outcome.reply().substring(0, 1000) : outcome.reply();
        db.jdbi().useHandle(h -> h.createUpdate(Database.sql("outbox.record"))
                .bind("id", rowId).bind("status", outcome.status().column).bind("reply", reply)
                .bind("next", next).bind("now", Instant.now()).execute());
    }

    static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof Instant i) {
            return i;
        }
        throw new IllegalStateException("unexpected time value " + o.getClass());
    }

    /** How many rows of a release are in each state. */
    public Map<String, Integer> counts(long releaseId) {
        return db.jdbi().withHandle(h -> {
            Map<String, Integer> m = new java.util.TreeMap<>();
            h.createQuery(Database.sql("outbox.counts")).bind("release", releaseId)
                    .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getInt("n")))
                    .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
    }

    /** Marks the release sent when no row is left to deliver or retry. */
    public boolean finishIfDone(long releaseId) {
        return db.jdbi().withHandle(h -> h.createUpdate(
                        "UPDATE releases SET status = 'sent', updated_at = :now WHERE id = :id AND status = 'sending'"
                                + " AND NOT EXISTS (SELECT 1 FROM outbox WHERE release_id = :id AND status IN ('pending', 'retry'))")
                .bind("id", releaseId).bind("now", Instant.now()).execute()) > 0;
    }
}
