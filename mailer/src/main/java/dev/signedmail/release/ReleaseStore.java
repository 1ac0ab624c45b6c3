package dev.signedmail.release;

import dev.signedmail.Problem;
import dev.signedmail.store.Database;
import dev.signedmail.subscriber.Topics;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Releases in the database: create with validation, read, move through their states. */
public final class ReleaseStore {

    private final Database db;

    public ReleaseStore(Database db) {
        this.db = db;
    }

    /** A release's content after validation: what is rendered, signed and approved. */
    public record Content(String title, String summary, String bodyMarkdown, String link, String topic,
                          boolean sharedBody) {
        public Content(String title, String summary, String bodyMarkdown, String link, String topic) {
            this(title, summary, bodyMarkdown, link, topic, false);
        }

        /** The same content in shared-body mode (or not). */
        public Content withSharedBody(boolean shared) {
            return new Content(title, summary, bodyMarkdown, link, topic, shared);
        }
    }

    /**
     * Stores a release written by operator {@code authorId} in the caller's transaction; returns its
     * id. Use {@code approval.Workflow#create}, which also records the author and audits it.
     */
    public static long insert(Handle h, long authorId, Content c, Long retractsId, String status) {
        Instant now = Instant.now();
        return h.createUpdate(
                        "INSERT INTO releases (title, summary, body_md, link, topic, status, created_at, updated_at,"
                                + " author_id, retracts_id, shared_body)"
                                + " VALUES (:title, :summary, :body, :link, :topic, :status, :now, :now, :author, :retracts,"
                                + " :shared)")
                .bind("title", c.title()).bind("summary", c.summary()).bind("body", c.bodyMarkdown()).bind("link", c.link())
                .bind("topic", c.topic()).bind("now", now).bind("status", status).bind("author", authorId)
                .bind("retracts", retractsId).bind("shared", c.sharedBody())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    /** Checks and normalises content; every problem names the option to fix. */
    public static Content validate(String title, String summary, String bodyMarkdown, String link, String topic) {
        String t = oneLine(title);
        if (t == null) {
            throw new Problem("--title is empty: a release needs a title (it becomes the e-mail subject)");
        }
        if (t.length() > 300) {
            throw new Problem("--title is " + t.length() + " characters long; keep it under 300 (it becomes the subject)");
        }
        String s = summary == null ? "" : summary.replaceAll("[\\p{Cntrl}&&[^\n]]", " ").strip();
        if (s.length() > 2000) {
            throw new Problem("--summary is longer than 2000 characters");
        }
        if (bodyMarkdown == null || bodyMarkdown.isBlank()) {
            throw new Problem("the body file is empty: write the release in Markdown and pass it with --body FILE.md");
        }
        String l = link == null || link.isBlank() ? null : link.strip();
        if (l != null) {
            try {
                URI u = new URI(l);
                if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (Exception e) {
                throw new Problem("--link '" + l + "' is not an absolute http(s) URL, e.g. https://example.org/news/42");
            }
        }
        String topicName = topic == null || topic.isBlank() ? Topics.DEFAULT : Topics.normalise(topic);
        if (topicName == null) {
            throw new Problem("--topic '" + topic + "' must be lower-case letters, digits and dashes, e.g. road-closures");
        }
        return new Content(t, s, bodyMarkdown, l, topicName);
    }

    public Optional<Release> find(long id) {
        return db.jdbi().withHandle(h -> find(h, id));
    }

    /** Reads a release in the caller's transaction. */
    public static Optional<Release> find(Handle h, long id) {
        return h.createQuery("SELECT * FROM releases WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Release(rs.getLong("id"), rs.getString("title"), rs.getString("summary"),
                        rs.getString("body_md"), rs.getString("link"), rs.getString("topic"),
                        rs.getObject("created_at", OffsetDateTime.class).toInstant(), rs.getString("status"),
                        rs.getBoolean("shared_body")))
                .findOne();
    }

    public Release get(long id) {
        return find(id).orElseThrow(() -> new Problem("there is no release " + id
                + " (`mailer release show ID` lists one; ids are printed by `release create`)"));
    }

    /** A title as a single line: any CR, LF or other control character becomes a space. */
    static String oneLine(String s) {
        if (s == null) {
            return null;
        }
        String o = s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip().replaceAll(" {2,}", " ");
        return o.isEmpty() ? null : o;
    }
}
