package dev.signedmail.web;

import dev.signedmail.store.SendStats;
import java.util.List;

import dev.signedmail.store.Database;
import dev.signedmail.store.Heartbeats;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Map;

/**
 * {@code /metrics} in the Prometheus text format, read from the database so it covers every sender
 * process, and {@code /health}. Gauges: outbox messages by state (and the queue still to deliver),
 * subscribers by state, feedback by kind and whether it was our side, messages by relay and result,
 * time spent signing (counters), and when {@code run-due}
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

    /** Prometheus label value escaping: backslash, double quote and line feed. */
    private static String labelValue(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
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
        List<SendStats.Totals> totals = new SendStats(db).all();
        b.append("# HELP signedmail_messages_total Messages the relay accepted (sent), refused for good (failed) or deferred"
                + " for a retry (deferred), by relay.\n# TYPE signedmail_messages_total counter\n");
        for (SendStats.Totals t : totals) {
            String relay = "relay=\"" + labelValue(t.relay()) + "\"";
            b.append("signedmail_messages_total{").append(relay).append(",result=\"sent\"} ").append(t.sent()).append('\n');
            b.append("signedmail_messages_total{").append(relay).append(",result=\"failed\"} ").append(t.failed()).append('\n');
            b.append("signedmail_messages_total{").append(relay).append(",result=\"deferred\"} ").append(t.deferred()).append('\n');
        }
        b.append("# HELP signedmail_signing_seconds_total Time spent rendering and signing messages (S/MIME + DKIM), by relay;"
                + " divide its rate by signedmail_signed_messages_total's for the mean per message.\n"
                + "# TYPE signedmail_signing_seconds_total counter\n");
        for (SendStats.Totals t : totals) {
            b.append("signedmail_signing_seconds_total{relay=\"").append(labelValue(t.relay())).append("\"} ")
                    .append(String.format(java.util.Locale.ROOT, "%.6f", t.signingMicros() / 1e6)).append('\n');
        }
        b.append("# HELP signedmail_signed_messages_total Messages rendered and signed, by relay.\n"
                + "# TYPE signedmail_signed_messages_total counter\n");
        for (SendStats.Totals t : totals) {
            b.append("signedmail_signed_messages_total{relay=\"").append(labelValue(t.relay())).append("\"} ")
                    .append(t.signed()).append('\n');
        }
        b.append("# HELP signedmail_job_last_success_timestamp_seconds When a periodic job last finished without error.\n");
        b.append("# TYPE signedmail_job_last_success_timestamp_seconds gauge\n");
        for (Map.Entry<String, Instant> e : new Heartbeats(db).all().entrySet()) {
            b.append("signedmail_job_last_success_timestamp_seconds{job=\"").append(e.getKey()).append("\"} ")
                    .append(e.getValue().getEpochSecond()).append('\n');
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(b.toString());
    }
}
