package dev.signedmail.audit;

import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Secrets;
import dev.signedmail.store.Database;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Append-only audit log. Each row stores SHA-256 over its fields and the previous row's hash;
 * ids are consecutive and the newest id:hash is also kept in {@code control('audit-head')}, so
 * {@link #verify()} notices an altered row, a removed row (also the last one) and a reordering.
 * Appends are serialised by locking the head row, so concurrent processes cannot fork the chain.
 */
public final class AuditLog {
    static final String GENESIS = "0".repeat(64);

    private final Database db;

    public AuditLog(Database db) {
        this.db = db;
    }

    public void record(Actor actor, String action, Long releaseId, String contentHash, String detail) {
        db.jdbi().useTransaction(h -> append(h, actor, action, releaseId, contentHash, detail));
    }

    /** Appends inside the caller's transaction, so the action and its record commit together. */
    public static void append(Handle h, Actor actor, String action, Long releaseId, String contentHash, String detail) {
        String head = h.createQuery("SELECT state FROM control WHERE name = 'audit-head' FOR UPDATE")
                .mapTo(String.class).one();
        long lastId = Long.parseLong(head.substring(0, head.indexOf(':')));
        String prev = head.substring(head.indexOf(':') + 1);
        String d = detail == null ? null : detail.length() > 2000 ? detail.substring(0, 2000) : detail;
        // millisecond precision survives every database's timestamp type unchanged
        AuditEntry e = new AuditEntry(lastId + 1, Instant.now().truncatedTo(ChronoUnit.MILLIS), actor.name(), action,
                releaseId, contentHash, actor.via(), actor.address(), d, prev, null);
        String hash = Secrets.sha256Hex(e.chainedBytes());
        h.createUpdate("INSERT INTO audit_log (id, at, operator, action, release_id, content_hash, via, address, detail,"
                        + " prev_hash, row_hash) VALUES (:id, :at, :op, :action, :rel, :ch, :via, :addr, :detail, :prev, :hash)")
                .bind("id", e.id()).bind("at", e.at()).bind("op", e.operator()).bind("action", action)
                .bind("rel", releaseId).bind("ch", contentHash).bind("via", e.via()).bind("addr", e.address())
                .bind("detail", d).bind("prev", prev).bind("hash", hash).execute();
        h.createUpdate("UPDATE control SET state = :v, updated_at = :now WHERE name = 'audit-head'")
                .bind("v", e.id() + ":" + hash).bind("now", Instant.now()).execute();
    }

    public List<AuditEntry> list(Long releaseId, int limit) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM (SELECT * FROM audit_log"
                        + (releaseId == null ? "" : " WHERE release_id = :rel") + " ORDER BY id DESC LIMIT :limit) x ORDER BY id")
                .bind("rel", releaseId).bind("limit", limit)
                .map((rs, ctx) -> new AuditEntry(rs.getLong("id"), rs.getObject("at", OffsetDateTime.class).toInstant(),
                        rs.getString("operator"), rs.getString("action"), (Long) rs.getObject("release_id", Long.class),
                        rs.getString("content_hash"), rs.getString("via"), rs.getString("address"),
                        rs.getString("detail"), rs.getString("prev_hash"), rs.getString("row_hash")))
                .list());
    }

    /** The outcome of {@link #verify()}: rows checked, and the first problem found (empty if none). */
    public record Verification(int rows, Optional<String> problem) {
        public boolean intact() {
            return problem.isEmpty();
        }
    }

    /** Walks the chain from the first row; stops at the first row that was altered, removed or moved. */
    public Verification verify() {
        List<AuditEntry> rows = list(null, Integer.MAX_VALUE);
        String prev = GENESIS;
        long expectedId = 1;
        int n = 0;
        for (AuditEntry e : rows) {
            if (e.id() != expectedId) {
                return new Verification(n, Optional.of("audit row " + expectedId + " was removed (the next row is "
                        + e.id() + ")" + restore()));
            }
            if (!e.prevHash().equals(prev)) {
                return new Verification(n, Optional.of("audit row " + e.id()
                        + " does not follow row " + (e.id() - 1) + " (rows were reordered or replaced)" + restore()));
            }
            if (!Secrets.sha256Hex(e.chainedBytes()).equals(e.rowHash())) {
                return new Verification(n, Optional.of("audit row " + e.id() + " was altered after it was written"
                        + restore()));
            }
            prev = e.rowHash();
            expectedId++;
            n++;
        }
        String head = db.jdbi().withHandle(h -> h.createQuery("SELECT state FROM control WHERE name = 'audit-head'")
                .mapTo(String.class).one());
        if (!head.equals((expectedId - 1) + ":" + prev)) {
            long headId = Long.parseLong(head.substring(0, head.indexOf(':')));
            return new Verification(n, Optional.of(headId >= expectedId
                    ? "audit row " + expectedId + " was removed (the log ended at row " + headId + ")" + restore()
                    : "the audit head does not match the last row " + (expectedId - 1) + restore()));
        }
        return new Verification(n, Optional.empty());
    }

    private static String restore() {
        return "; compare with a database backup to see what changed";
    }
}
