package dev.signedmail.release;

import dev.signedmail.store.Database;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The release log as stored: appending (sending side) and reading. The published form is
 * {@link ReleaseFeed}; its signed bytes are kept in {@code release_feed} so that {@code serve}
 * can hand them out without any key.
 */
public final class ReleaseLog {
    private final Database db;

    public ReleaseLog(Database db) {
        this.db = db;
    }

    /**
     * Adds {@code release} as the next entry unless it is already in the log; returns its entry.
     * seq is the primary key, so two senders can never both take the same number: the one that
     * loses the race (another process, another machine) reads again and finds the release logged,
     * or tries the next number (a few times at most).
     */
    public synchronized ReleaseLogEntry append(Release release, List<String> approvers, Instant sentAt) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tryAppend(release, approvers, sentAt);
            } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
                boolean duplicate = e.getCause() instanceof java.sql.SQLException sql && sql.getSQLState() != null
                        && sql.getSQLState().startsWith("23");
                if (!duplicate || attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    private ReleaseLogEntry tryAppend(Release release, List<String> approvers, Instant sentAt) {
        return db.jdbi().inTransaction(h -> {
            Optional<ReleaseLogEntry> existing = h.createQuery("SELECT * FROM release_log WHERE release_id = :id")
                    .bind("id", release.id()).map((rs, ctx) -> map(rs)).findOne();
            if (existing.isPresent()) {
                return existing.get();
            }
            Optional<ReleaseLogEntry> last = h.createQuery("SELECT * FROM release_log ORDER BY seq DESC LIMIT 1")
                    .map((rs, ctx) -> map(rs)).findOne();
            ReleaseLogEntry e = ReleaseLogEntry.next(last.map(l -> l.seq() + 1).orElse(1L), release, approvers,
                    Instant.ofEpochSecond(sentAt.getEpochSecond()), last.map(ReleaseLogEntry::entryHash).orElse(ReleaseLogEntry.GENESIS));
            h.createUpdate("INSERT INTO release_log (seq, release_id, content_hash, title, approvers, sent_at, previous_hash, entry_hash)"
                            + " VALUES (:seq, :rid, :ch, :title, :appr, :at, :prev, :hash)")
                    .bind("seq", e.seq()).bind("rid", e.releaseId()).bind("ch", e.contentHash()).bind("title", e.title())
                    .bind("appr", String.join(",", e.approvers())).bind("at", OffsetDateTime.ofInstant(e.sentAt(), ZoneOffset.UTC))
                    .bind("prev", e.previousHash()).bind("hash", e.entryHash()).execute();
            return e;
        });
    }

    public List<ReleaseLogEntry> entries() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM release_log ORDER BY seq").map((rs, ctx) -> map(rs)).list());
    }

    /** Stores the published feed and its detached signature (one row, replaced each time). */
    public void storeFeed(byte[] atom, byte[] signature, int entries) {
        // Several senders may publish at once: a feed never replaces one that lists more entries,
        // and the first insert of the row may race (then the loser updates).
        for (int attempt = 1; ; attempt++) {
            try {
                db.jdbi().useTransaction(h -> {
                    int updated = h.createUpdate("UPDATE release_feed SET atom = :a, signature = :s, entries = :n, updated_at = :now"
                                    + " WHERE id = 1 AND entries <= :n")
                            .bind("a", atom).bind("s", signature).bind("n", entries)
                            .bind("now", OffsetDateTime.now(ZoneOffset.UTC)).execute();
                    boolean exists = h.createQuery("SELECT COUNT(*) FROM release_feed WHERE id = 1").mapTo(Integer.class).one() > 0;
                    if (updated == 0 && !exists) {
                        h.createUpdate("INSERT INTO release_feed (id, atom, signature, entries, updated_at) VALUES (1, :a, :s, :n, :now)")
                                .bind("a", atom).bind("s", signature).bind("n", entries)
                                .bind("now", OffsetDateTime.now(ZoneOffset.UTC)).execute();
                    }
                });
                return;
            } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
                if (attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    /** The stored feed and signature, if any release has been logged yet. */
    public Optional<byte[][]> feed() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT atom, signature FROM release_feed WHERE id = 1")
                .map((rs, ctx) -> new byte[][] {rs.getBytes("atom"), rs.getBytes("signature")}).findOne());
    }

    private static ReleaseLogEntry map(java.sql.ResultSet rs) throws java.sql.SQLException {
        String appr = rs.getString("approvers");
        return new ReleaseLogEntry(rs.getLong("seq"), rs.getLong("release_id"), rs.getString("content_hash").strip(),
                rs.getString("title"), appr == null || appr.isBlank() ? List.of() : Arrays.asList(appr.split(",")),
                rs.getObject("sent_at", OffsetDateTime.class).toInstant(), rs.getString("previous_hash").strip(),
                rs.getString("entry_hash").strip());
    }
}
