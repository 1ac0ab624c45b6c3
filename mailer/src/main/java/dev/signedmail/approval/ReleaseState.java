package dev.signedmail.approval;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.jdbi.v3.core.Handle;

/** Where a release is in the workflow, and who did what to it. */
public record ReleaseState(long id, String status, Long authorId, Long approvedBy, String approvedHash,
                           Instant approvedAt, Instant scheduledAt, String heldReason, Long confirmedBy,
                           Long retractsId, Instant snapshotAt) {

    /** Reads the state; {@code forUpdate} locks the row until the transaction ends. */
    static ReleaseState load(Handle h, long id, boolean forUpdate) {
        return h.createQuery("SELECT * FROM releases WHERE id = :id" + (forUpdate ? " FOR UPDATE" : ""))
                .bind("id", id)
                .map((rs, ctx) -> new ReleaseState(rs.getLong("id"), rs.getString("status"),
                        rs.getObject("author_id", Long.class), rs.getObject("approved_by", Long.class),
                        rs.getString("approved_hash"), instant(rs.getObject("approved_at", OffsetDateTime.class)),
                        instant(rs.getObject("scheduled_at", OffsetDateTime.class)), rs.getString("held_reason"),
                        rs.getObject("confirmed_by", Long.class), rs.getObject("retracts_id", Long.class),
                        instant(rs.getObject("snapshot_at", OffsetDateTime.class))))
                .findOne()
                .orElseThrow(() -> new dev.signedmail.Problem("there is no release " + id
                        + " (ids are printed by `release create`)"));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    public boolean isRetraction() {
        return retractsId != null;
    }
}
