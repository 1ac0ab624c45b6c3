package dev.signedmail.web;

import dev.signedmail.store.Database;
import dev.signedmail.store.Heartbeats;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Map;

/**
 * {@code /metrics} in the Prometheus text format, read from the database so it covers every sender
 * process, and {@code /health}. Gauges: outbox messages by state (and the queue still to deliver),
 * subscribers by state, feedback by kind and whether it was our side, and when {@code run-due}
 * and {@code feedback poll} last finished without error (alert when that grows old).
 */
final class MetricsRoutes {
    private final Database db;

    MetricsRoutes(Database db) {
        this.db = db;
    }

    void register(RoutesConfig routes) {
        routes.get("/metrics", this::metrics);
    }

    private void metrics(Context ctx) {
        StringBuilder b = new StringBuilder();
        db.jdbi().useHandle(h -> {
            b.append("# HELP signedmail_outbox_messages Messages in the outbox by state.\n");
            b.append("# TYPE signedmail_outbox_messages gauge\n");
            long queue = 0;
            for (Map<String, Object> r : h.createQuery("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status ORDER BY status")
                    .mapToMap().list()) {
                long n = ((Number) r.get("n")).longValue();
                b.append("signedmail_outbox_messages{state=\"").append(r.get("status")).append("\"} ").append(n).append('\n');
                if ("pending".equals(r.get("status")) || "retry".equals(r.get("status"))) {
                    queue += n;
                }
            }
            b.append("# HELP signedmail_queue_depth Messages still to deliver (pending or to retry).\n");
            b.append("# TYPE signedmail_queue_depth gauge\n");
            b.append("signedmail_queue_depth ").append(queue).append('\n');
            b.append("# HELP signedmail_subscribers Subscribers by state.\n# TYPE signedmail_subscribers gauge\n");
            h.createQuery("SELECT status, COUNT(*) AS n FROM subscribers GROUP BY status ORDER BY status").mapToMap()
                    .forEach(r -> b.append("signedmail_subscribers{state=\"").append(r.get("status")).append("\"} ")
                            .append(((Number) r.get("n")).longValue()).append('\n'));
            b.append("# HELP signedmail_feedback_total Bounces, complaints and auto-replies received, by kind.\n");
            b.append("# TYPE signedmail_feedback_total counter\n");
            h.createQuery("SELECT kind, our_side, COUNT(*) AS n FROM feedback_events GROUP BY kind, our_side ORDER BY kind")
                    .mapToMap().forEach(r -> b.append("signedmail_feedback_total{kind=\"").append(r.get("kind"))
                            .append("\",our_side=\"").append(Boolean.TRUE.equals(r.get("our_side"))).append("\"} ")
                            .append(((Number) r.get("n")).longValue()).append('\n'));
        });
        b.append("# HELP signedmail_job_last_success_timestamp_seconds When a periodic job last finished without error.\n");
        b.append("# TYPE signedmail_job_last_success_timestamp_seconds gauge\n");
        for (Map.Entry<String, Instant> e : new Heartbeats(db).all().entrySet()) {
            b.append("signedmail_job_last_success_timestamp_seconds{job=\"").append(e.getKey()).append("\"} ")
                    .append(e.getValue().getEpochSecond()).append('\n');
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(b.toString());
    }
}
