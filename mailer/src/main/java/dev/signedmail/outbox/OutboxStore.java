package dev.signedmail.outbox;

import dev.signedmail.Problem;
import dev.signedmail.store.Database;
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

    /** The next rows to deliver with ids above {@code afterId}, at most {@code limit}. */
    public List<OutboxRow> nextBatch(long releaseId, long afterId, int limit) {
        return db.jdbi().withHandle(h -> h.createQuery(Database.sql("outbox.next_batch"))
                .bind("release", releaseId).bind("after", afterId).bind("limit", limit)
                .map((rs, ctx) -> new OutboxRow(rs.getLong("id"), rs.getLong("release_id"), rs.getLong("subscriber_id"),
                        rs.getString("email"), rs.getString("name"), rs.getString("status"), rs.getInt("attempts")))
                .list());
    }

    /** Records the relay's answer for one row; committed before this returns. */
    public void record(long rowId, Outcome outcome) {
        String reply = outcome.reply() == null ? null
                : outcome.reply().length() > 1000 ? outcome.reply().substring(0, 1000) : outcome.reply();
        db.jdbi().useHandle(h -> h.createUpdate(Database.sql("outbox.record"))
                .bind("id", rowId).bind("status", outcome.status().column).bind("reply", reply)
                .bind("now", Instant.now()).execute());
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
