package dev.signedmail.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Cumulative counters per relay: messages sent, failed and deferred, and messages signed with the
 * time spent rendering and signing them. Senders add their deltas every few seconds; {@code /metrics}
 * reads the totals (Prometheus counters: rates and the mean signing time come from them).
 */
public final class SendStats {
    private final Database db;

    public SendStats(Database db) {
        this.db = db;
    }

    /** One relay's totals. */
    public record Totals(String relay, long sent, long failed, long deferred, long signed, long signingMicros) {
    }

    /** Adds to {@code relay}'s counters (creating its row on first use). */
    public void add(String relay, long sent, long failed, long deferred, long signed, long signingMicros) {
        if (sent == 0 && failed == 0 && deferred == 0 && signed == 0) {
            return;
        }
        db.jdbi().useTransaction(h -> {
            h.createUpdate("INSERT INTO send_stats (relay) SELECT :relay FROM (VALUES (1)) AS one (x)"
                    + " WHERE NOT EXISTS (SELECT 1 FROM send_stats WHERE relay = :relay)").bind("relay", relay).execute();
            h.createUpdate("UPDATE send_stats SET sent = sent + :sent, failed = failed + :failed, deferred = deferred + :deferred,"
                            + " signed = signed + :signed, signing_micros = signing_micros + :micros WHERE relay = :relay")
                    .bind("relay", relay).bind("sent", sent).bind("failed", failed).bind("deferred", deferred)
                    .bind("signed", signed).bind("micros", signingMicros).execute();
        });
    }

    public List<Totals> all() {
        return db.jdbi().withHandle(h -> new ArrayList<>(h.createQuery(
                        "SELECT relay, sent, failed, deferred, signed, signing_micros FROM send_stats ORDER BY relay")
                .map((rs, ctx) -> new Totals(rs.getString("relay"), rs.getLong("sent"), rs.getLong("failed"),
                        rs.getLong("deferred"), rs.getLong("signed"), rs.getLong("signing_micros")))
                .list()));
    }
}
