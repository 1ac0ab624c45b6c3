package dev.signedmail.subscriber;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signedmail.Problem;
import dev.signedmail.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * What we hold about one person, and erasing it on request (GDPR art. 15 and 17): export prints
 * every row that names them; forget replaces their address and name everywhere, keeping only a
 * hash of the address so the address stays suppressed if an old list is imported again.
 */
public final class PersonalData {

    private final Database db;

    public PersonalData(Database db) {
        this.db = db;
    }

    public static String hash(String normalisedEmail) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(normalisedEmail.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether an address was erased on request (a re-import must not bring it back). */
    public static boolean erased(Handle h, String normalisedEmail) {
        return h.createQuery("SELECT COUNT(*) FROM erased_addresses WHERE email_sha256 = :h")
                .bind("h", hash(normalisedEmail)).mapTo(Integer.class).one() > 0;
    }

    public String export(String email) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        db.jdbi().useHandle(h -> {
            Map<String, Object> s = h.createQuery("SELECT id, email, name, status, bounce_score, last_bounce_at, created_at, updated_at"
                    + " FROM subscribers WHERE email = :e").bind("e", email).mapToMap().findOne()
                    .orElseThrow(() -> new Problem("no subscriber " + email + " (`subscribers list` shows who is held)"));
            long id = ((Number) s.get("id")).longValue();
            root.set("subscriber", json.valueToTree(stringify(s)));
            root.set("topics", json.valueToTree(h.createQuery("SELECT topic FROM subscriber_topics WHERE subscriber_id = :id ORDER BY topic")
                    .bind("id", id).mapTo(String.class).list()));
            root.set("subscription_events", rows(json, h, "SELECT action, topic, via, detail, at FROM subscription_events"
                    + " WHERE subscriber_id = :id ORDER BY at, id", id));
            root.set("messages", rows(json, h, "SELECT o.release_id, r.title, o.status, o.last_reply, o.sent_at FROM outbox o"
                    + " JOIN releases r ON r.id = o.release_id WHERE o.subscriber_id = :id ORDER BY o.id", id));
            root.set("feedback", rows(json, h, "SELECT kind, reason, status, reply_code, feedback_type, effect, source, at"
                    + " FROM feedback_events WHERE subscriber_id = :id ORDER BY at, id", id));
            ArrayNode requests = json.createArrayNode(); // double opt-in and "e-mail me my link" requests
            for (Map<String, Object> r : h.createQuery("SELECT kind, topics, source, requested_at, sent_at, confirmed_at"
                    + " FROM confirmations WHERE email = :e ORDER BY requested_at, id").bind("e", email).mapToMap().list()) {
                requests.add(json.valueToTree(stringify(r)));
            }
            root.set("requests", requests);
        });
        return root.toPrettyString();
    }

    /** Erases one person's data; returns false when there was nobody with that address. */
    public boolean forget(String email) {
        return db.jdbi().inTransaction(h -> {
            Long id = h.createQuery("SELECT id FROM subscribers WHERE email = :e").bind("e", email).mapTo(Long.class).findOne().orElse(null);
            Instant now = Instant.now();
            h.createUpdate("INSERT INTO erased_addresses (email_sha256, erased_at) SELECT :h, :now FROM (VALUES (1)) AS one (x)"
                    + " WHERE NOT EXISTS (SELECT 1 FROM erased_addresses WHERE email_sha256 = :h)")
                    .bind("h", hash(email)).bind("now", now).execute();
            // requests carry the address in clear (a person who asked but never confirmed has no subscriber row)
            int requests = h.createUpdate("DELETE FROM confirmations WHERE email = :e").bind("e", email).execute();
            if (id == null) {
                return requests > 0;
            }
            String placeholder = "erased-" + id + "@erased.invalid";
            h.createUpdate("UPDATE subscribers SET email = :p, name = NULL, status = 'erased', updated_at = :now WHERE id = :id")
                    .bind("p", placeholder).bind("now", now).bind("id", id).execute();
            h.createUpdate("DELETE FROM subscriber_topics WHERE subscriber_id = :id").bind("id", id).execute();
            h.createUpdate("UPDATE outbox SET email = :p, name = NULL, last_reply = NULL WHERE subscriber_id = :id")
                    .bind("p", placeholder).bind("id", id).execute();
            h.createUpdate("UPDATE feedback_events SET recipient = NULL, diagnostic = NULL WHERE subscriber_id = :id")
                    .bind("id", id).execute();
            h.createUpdate("UPDATE subscription_events SET detail = NULL WHERE subscriber_id = :id").bind("id", id).execute();
            return true;
        });
    }

    private static ArrayNode rows(ObjectMapper json, Handle h, String sql, long id) {
        ArrayNode a = json.createArrayNode();
        for (Map<String, Object> r : h.createQuery(sql).bind("id", id).mapToMap().list()) {
            a.add(json.valueToTree(stringify(r)));
        }
        return a;
    }

    private static Map<String, Object> stringify(Map<String, Object> row) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        row.forEach((k, v) -> out.put(k, v == null || v instanceof Number || v instanceof Boolean ? v : v.toString()));
        return out;
    }
}
