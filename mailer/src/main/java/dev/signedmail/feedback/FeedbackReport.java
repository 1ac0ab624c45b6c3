package dev.signedmail.feedback;

import dev.signedmail.store.Database;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** `report feedback`: what bounces and complaints said, what they did, and who is suppressed. */
public final class FeedbackReport {
    private final Database db;

    public FeedbackReport(Database db) {
        this.db = db;
    }

    public void print(PrintStream out) {
        db.jdbi().useHandle(h -> {
            List<Map<String, Object>> byKind = h.createQuery("SELECT kind, reason, our_side, effect, COUNT(*) AS n"
                    + " FROM feedback_events GROUP BY kind, reason, our_side, effect ORDER BY kind, n DESC, reason").mapToMap().list();
            out.println("Feedback by kind and reason:");
            if (byKind.isEmpty()) {
                out.println("  (none yet)");
            }
            for (Map<String, Object> r : byKind) {
                out.printf("  %-11s %-16s %6d  -> %s%s%n", r.get("kind"), r.get("reason"), ((Number) r.get("n")).longValue(),
                        r.get("effect"), Boolean.TRUE.equals(r.get("our_side")) ? "  (our side: check authentication, rate, reputation)" : "");
            }
            long alerts = h.createQuery("SELECT COUNT(*) FROM feedback_events WHERE our_side").mapTo(Long.class).one();
            if (alerts > 0) {
                out.println();
                out.println("ATTENTION: " + alerts + " bounce(s) were caused on our side; subscribers were not penalised. Latest:");
                h.createQuery("SELECT at, reason, status, diagnostic FROM feedback_events WHERE our_side ORDER BY at DESC, id DESC")
                        .setMaxRows(5).mapToMap().forEach(r -> out.printf("  %s %s %s %s%n", r.get("at"), r.get("reason"),
                                r.get("status") == null ? "" : r.get("status"), r.get("diagnostic") == null ? "" : r.get("diagnostic")));
            }
            out.println();
            Map<String, Object> states = h.createQuery("SELECT"
                    + " SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active,"
                    + " SUM(CASE WHEN status = 'suppressed' THEN 1 ELSE 0 END) AS suppressed,"
                    + " SUM(CASE WHEN status = 'unsubscribed' THEN 1 ELSE 0 END) AS unsubscribed FROM subscribers").mapToMap().one();
            out.printf("Subscribers: %s active, %s suppressed, %s unsubscribed%n", zero(states.get("active")),
                    zero(states.get("suppressed")), zero(states.get("unsubscribed")));
            List<Map<String, Object>> suppressed = h.createQuery("SELECT s.email, s.bounce_score,"
                    + " (SELECT e.detail FROM subscription_events e WHERE e.subscriber_id = s.id AND e.action = 'suppressed'"
                    + "  ORDER BY e.at DESC, e.id DESC FETCH FIRST 1 ROWS ONLY) AS why"
                    + " FROM subscribers s WHERE s.status = 'suppressed' ORDER BY s.email").mapToMap().list();
            if (!suppressed.isEmpty()) {
                out.println("Suppressed addresses (lift with `subscribers unsuppress EMAIL`):");
                for (Map<String, Object> r : suppressed) {
                    out.printf("  %s  (%s)%n", r.get("email"), r.get("why") == null ? "score " + r.get("bounce_score") : r.get("why"));
                }
            }
        });
    }

    private static Object zero(Object o) {
        return o == null ? 0 : o;
    }
}
