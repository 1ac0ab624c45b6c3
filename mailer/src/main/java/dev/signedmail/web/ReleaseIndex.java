package dev.signedmail.web;

import dev.signedmail.store.Database;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** The newest releases with who wrote and approved them: the list page and {@code GET /api/releases}. */
final class ReleaseIndex {
    private final Database db;

    ReleaseIndex(Database db) {
        this.db = db;
    }

    record Row(long id, String title, String topic, String status, String author, String approvedBy,
               Instant updatedAt, Instant scheduledAt, Long retractsId) {
    }

    List<Row> newest(int limit) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT r.id, r.title, r.topic, r.status, r.updated_at,"
                        + " r.scheduled_at, r.retracts_id, a.name AS author, p.name AS approver FROM releases r"
                        + " LEFT JOIN operators a ON a.id = r.author_id LEFT JOIN operators p ON p.id = r.approved_by"
                        + " ORDER BY r.id DESC LIMIT :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("title"), rs.getString("topic"),
                        rs.getString("status"), rs.getString("author"), rs.getString("approver"),
                        instant(rs.getObject("updated_at", OffsetDateTime.class)),
                        instant(rs.getObject("scheduled_at", OffsetDateTime.class)),
                        rs.getObject("retracts_id", Long.class)))
                .list());
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
