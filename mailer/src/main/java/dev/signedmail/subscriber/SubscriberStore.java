package dev.signedmail.subscriber;

import dev.signedmail.store.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/** Subscribers and their topics in the database. */
public final class SubscriberStore {

    private final Database db;

    public SubscriberStore(Database db) {
        this.db = db;
    }

    /** What an upsert did to one address. */
    public enum Change { ADDED, UPDATED, ERASED_BEFORE }

    /**
     * Adds a subscriber or merges into the existing one: a missing name is filled, topics are added.
     * Runs inside the caller's transaction so an import is all or nothing.
     */
    public static Change upsert(Handle h, String email, String name, Collection<String> topics, Instant now) {
        if (PersonalData.erased(h, email)) {
            return Change.ERASED_BEFORE; // erased on request: only the person can subscribe again (double opt-in)
        }
        boolean existed = h.createQuery("SELECT COUNT(*) FROM subscribers WHERE email = :email")
                .bind("email", email).mapTo(Integer.class).one() > 0;
        h.createUpdate(Database.sql("subscriber.upsert"))
                .bind("email", email).bind("name", name).bind("now", now).execute();
        long id = h.createQuery("SELECT id FROM subscribers WHERE email = :email")
                .bind("email", email).mapTo(Long.class).one();
        for (String topic : topics) {
            h.createUpdate("MERGE INTO subscriber_topics t USING (VALUES (CAST(:id AS BIGINT), CAST(:topic AS VARCHAR(64))))"
                            + " AS v (subscriber_id, topic) ON t.subscriber_id = v.subscriber_id AND t.topic = v.topic"
                            + " WHEN NOT MATCHED THEN INSERT (subscriber_id, topic) VALUES (v.subscriber_id, v.topic)")
                    .bind("id", id).bind("topic", topic).execute();
        }
        return existed ? Change.UPDATED : Change.ADDED;
    }

    public Change add(String email, String name, Collection<String> topics) {
        return db.jdbi().inTransaction(h -> upsert(h, email, name, topics, Instant.now()));
    }

    public Optional<Subscriber> find(String email) {
        return db.jdbi().withHandle(h -> h.createQuery(listSql() + " WHERE s.email = :email GROUP BY s.id, s.email, s.name, s.status, s.created_at")
                .bind("email", email).map((rs, ctx) -> row(rs)).findOne());
    }

    /** Topics as one comma-separated column: LISTAGG on H2, string_agg on PostgreSQL. */
    private String listSql() {
        return "SELECT s.id, s.email, s.name, s.status, s.created_at, "
                + (db.postgres() ? "string_agg(t.topic, ',' ORDER BY t.topic)" : "LISTAGG(t.topic, ',') WITHIN GROUP (ORDER BY t.topic)")
                + " AS topics FROM subscribers s LEFT JOIN subscriber_topics t ON t.subscriber_id = s.id";
    }

    /** Streams every subscriber in id order to {@code each}, never holding the list in memory. */
    public void forEach(Consumer<Subscriber> each) {
        db.jdbi().useHandle(h -> h.createQuery(listSql()
                        + " GROUP BY s.id, s.email, s.name, s.status, s.created_at ORDER BY s.id")
                .setFetchSize(500)
                .map((rs, ctx) -> row(rs))
                .useStream(s -> s.forEach(each)));
    }

    public int count() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM subscribers").mapTo(Integer.class).one());
    }

    private static Subscriber row(java.sql.ResultSet rs) throws java.sql.SQLException {
        String topics = rs.getString("topics");
        List<String> list = topics == null || topics.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(topics.split(",")));
        return new Subscriber(rs.getLong("id"), rs.getString("email"), rs.getString("name"), rs.getString("status"),
                list, rs.getObject("created_at", java.time.OffsetDateTime.class).toInstant());
    }
}
