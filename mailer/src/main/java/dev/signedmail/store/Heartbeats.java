package dev.signedmail.store;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** When each periodic job (run-due, feedback poll) last finished without error, for monitoring. */
public final class Heartbeats {
    private final Database db;

    public Heartbeats(Database db) {
        this.db = db;
    }

    public void beat(String job) {
        db.jdbi().useTransaction(h -> {
            int n = h.createUpdate("UPDATE heartbeats SET last_ok = :now WHERE job = :job")
                    .bind("job", job).bind("now", Instant.now()).execute();
            if (n == 0) {
                h.createUpdate("INSERT INTO heartbeats (job, last_ok) SELECT :job, :now FROM (VALUES (1)) AS one (x)"
                                + " WHERE NOT EXISTS (SELECT 1 FROM heartbeats WHERE job = :job)")
                        .bind("job", job).bind("now", Instant.now()).execute();
            }
        });
    }

    public Map<String, Instant> all() {
        Map<String, Instant> m = new TreeMap<>();
        db.jdbi().useHandle(h -> h.createQuery("SELECT job, last_ok FROM heartbeats").mapToMap().forEach(r -> {
            Object t = r.get("last_ok");
            Instant at = t instanceof java.time.OffsetDateTime o ? o.toInstant() : t instanceof java.sql.Timestamp ts ? ts.toInstant() : null;
            if (at != null) {
                m.put((String) r.get("job"), at);
            }
        }));
        return m;
    }
}
