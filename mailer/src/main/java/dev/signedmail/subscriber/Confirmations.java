package dev.signedmail.subscriber;

import dev.signedmail.store.Database;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Double opt-in: a subscription request waits until the owner of the address confirms it from the
 * signed confirmation e-mail. The link's token is an HMAC of the request's id (nothing secret is
 * stored), the request expires, and asking again soon after sends nothing new — so the form cannot
 * be used to flood someone's inbox, and its answer never tells whether an address is subscribed.
 *
 * <p>The same queue carries "e-mail me my personal link" requests from the generic preferences page
 * ({@link Kind#MANAGE}): the web side holds no signing keys, so it can only queue, and the sender
 * that signs confirmation e-mails signs these too. Such a request is queued only for an active
 * subscriber and at most once per address in {@link #MANAGE_QUIET}; the page answers the same
 * either way.
 */
public final class Confirmations {

    public static final Duration VALID_FOR = Duration.ofHours(48);
    /** A new request for an address within this time of the last one sends no second e-mail. */
    static final Duration QUIET = Duration.ofMinutes(15);
    /** At most one personal-link e-mail per address in this time, however often the page is used. */
    public static final Duration MANAGE_QUIET = Duration.ofMinutes(10);
    /**
     * A personal-link request not sent within this time is dropped: by then the person has stopped
     * waiting for it, and can ask again. (The link in it never expires; only the queued request does.)
     */
    static final Duration MANAGE_SEND_WITHIN = Duration.ofHours(24);
    private static final int MAC_BYTES = 16;

    private final Database db;
    private final List<byte[]> keys;

    public Confirmations(Database db, TokenKeys keys) {
        this.db = db;
        this.keys = keys.all().stream().map(Confirmations::derive).toList();
    }

    /** What a queued request asks for; stored lower-case in {@code confirmations.kind}. */
    public enum Kind {
        /** Double opt-in: confirm a subscription (name and topics are the requested ones). */
        SUBSCRIBE,
        /** E-mail an active subscriber their personal preferences and unsubscribe links (no name, no topics). */
        MANAGE;

        String column() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind of(String column) {
            return valueOf(column.toUpperCase(Locale.ROOT));
        }
    }

    /** A request as the confirmation e-mail and page (or the personal-link e-mail) need it. */
    public record Request(long id, String email, String name, List<String> topics, Instant expiresAt, boolean confirmed,
                          Kind kind) {
        public boolean expired(Instant now) {
            return now.isAfter(expiresAt);
        }
    }

    /** Records a request (or finds a recent one for the same address); nothing is subscribed yet. */
    public void request(String email, String name, Collection<String> topics, String source) {
        Instant now = Instant.now();
        db.jdbi().useTransaction(h -> {
            boolean recent = h.createQuery("SELECT COUNT(*) FROM confirmations WHERE email = :e AND requested_at > :since"
                            + " AND confirmed_at IS NULL AND kind = :k")
                    .bind("e", email).bind("since", now.minus(QUIET)).bind("k", Kind.SUBSCRIBE.column())
                    .mapTo(Integer.class).one() > 0;
            if (recent) {
                return;
            }
            h.createUpdate("INSERT INTO confirmations (email, name, topics, source, requested_at, expires_at, kind)"
                            + " VALUES (:e, :n, :t, :s, :now, :exp, :k)")
                    .bind("e", email).bind("n", name).bind("t", String.join(",", topics)).bind("s", source)
                    .bind("now", now).bind("exp", now.plus(VALID_FOR)).bind("k", Kind.SUBSCRIBE.column()).execute();
        });
    }

    /**
     * Queues "e-mail me my personal link" for {@code email} if it is an active subscriber and no
     * such request for it was made in the last {@link #MANAGE_QUIET}; otherwise does nothing. It
     * says nothing either way: the page that calls it must answer the same for every address.
     */
    public void requestManageLink(String email, String source) {
        Instant now = Instant.now();
        db.jdbi().useTransaction(h -> {
            // Locking the subscriber's row makes simultaneous requests for one address take turns,
            // so two of them cannot both pass the quiet-period check below.
            Optional<String> status = h.createQuery("SELECT status FROM subscribers WHERE email = :e FOR UPDATE")
                    .bind("e", email).mapTo(String.class).findOne();
            if (status.isEmpty() || !"active".equals(status.get())) {
                return; // unknown, unsubscribed, suppressed (it bounces) or erased: nothing to send
            }
            boolean recent = h.createQuery("SELECT COUNT(*) FROM confirmations WHERE email = :e AND kind = :k"
                            + " AND requested_at > :since")
                    .bind("e", email).bind("k", Kind.MANAGE.column()).bind("since", now.minus(MANAGE_QUIET))
                    .mapTo(Integer.class).one() > 0;
            if (recent) {
                return;
            }
            h.createUpdate("INSERT INTO confirmations (email, name, topics, source, requested_at, expires_at, kind)"
                            + " VALUES (:e, NULL, '', :s, :now, :exp, :k)")
                    .bind("e", email).bind("s", source).bind("now", now).bind("exp", now.plus(MANAGE_SEND_WITHIN))
                    .bind("k", Kind.MANAGE.column()).execute();
        });
    }

    /**
     * The subscriber a personal-link request is for, if they are still active now: they may have
     * unsubscribed, bounced or been erased since asking, and then nothing is sent.
     */
    public Optional<Subscriber> manageRecipient(Request r) {
        if (r.kind() != Kind.MANAGE) {
            throw new IllegalArgumentException("request " + r.id() + " is not a personal-link request");
        }
        return new SubscriberStore(db).find(r.email()).filter(s -> "active".equals(s.status()));
    }

    /** Requests whose e-mail has not gone out yet and that have not expired, oldest first. */
    public List<Request> unsent(int limit) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM confirmations WHERE sent_at IS NULL"
                        + " AND expires_at > :now ORDER BY id")
                .bind("now", Instant.now()).setMaxRows(limit).map((rs, ctx) -> row(rs)).list());
    }

    public void markSent(long id) {
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE confirmations SET sent_at = :now WHERE id = :id")
                .bind("now", Instant.now()).bind("id", id).execute());
    }

    public String token(long id) {
        byte[] idBytes = ByteBuffer.allocate(8).putLong(id).array();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                ByteBuffer.allocate(8 + MAC_BYTES).put(idBytes).put(mac(keys.get(0), idBytes)).array());
    }

    /** The request a genuine token names; empty for a forged or damaged token. */
    public Optional<Request> find(String token) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length != 8 + MAC_BYTES) {
            return Optional.empty();
        }
        byte[] id = Arrays.copyOf(raw, 8);
        byte[] given = Arrays.copyOfRange(raw, 8, raw.length);
        boolean genuine = false;
        for (byte[] key : keys) {
            genuine |= MessageDigest.isEqual(mac(key, id), given);
        }
        if (!genuine) {
            return Optional.empty();
        }
        long rowId = ByteBuffer.wrap(id).getLong();
        // Only subscribe requests have confirm links; a personal-link row must never be confirmable.
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM confirmations WHERE id = :id AND kind = :k")
                .bind("id", rowId).bind("k", Kind.SUBSCRIBE.column()).map((rs, ctx) -> row(rs)).findOne());
    }

    /** Confirms: the address becomes (or stays) an active subscriber of the requested topics. */
    public boolean confirm(Request r) {
        if (r.expired(Instant.now())) {
            return false;
        }
        return db.jdbi().inTransaction(h -> {
            Instant now = Instant.now();
            int claimed = h.createUpdate("UPDATE confirmations SET confirmed_at = :now WHERE id = :id AND confirmed_at IS NULL")
                    .bind("now", now).bind("id", r.id()).execute();
            if (claimed == 0) {
                return true; // confirmed before: the same answer again
            }
            // the owner asked for it themselves: an earlier erasure no longer blocks the address
            h.createUpdate("DELETE FROM erased_addresses WHERE email_sha256 = :h").bind("h", PersonalData.hash(r.email())).execute();
            SubscriberStore.upsert(h, r.email(), r.name(), r.topics(), now);
            long id = h.createQuery("SELECT id FROM subscribers WHERE email = :e").bind("e", r.email()).mapTo(Long.class).one();
            // confirming re-subscribes someone who had unsubscribed, but never lifts a suppression
            h.createUpdate("UPDATE subscribers SET status = 'active', updated_at = :now WHERE id = :id AND status = 'unsubscribed'")
                    .bind("now", now).bind("id", id).execute();
            Subscriptions.event(h, id, "subscribed", String.join(",", r.topics()), "confirm", null, now);
            return true;
        });
    }

    /**
     * Withdraws an unconfirmed request (the "this wasn't me" link; or a personal-link request whose
     * subscriber is no longer active): it can no longer be confirmed, and is no longer sent.
     */
    public void cancel(Request r) {
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE confirmations SET expires_at = :now WHERE id = :id AND confirmed_at IS NULL")
                .bind("now", Instant.now()).bind("id", r.id()).execute());
    }

    private static Request row(java.sql.ResultSet rs) throws java.sql.SQLException {
        String stored = rs.getString("topics");
        List<String> topics = stored.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(stored.split(",")));
        return new Request(rs.getLong("id"), rs.getString("email"), rs.getString("name"), topics,
                rs.getObject("expires_at", OffsetDateTime.class).toInstant(), rs.getObject("confirmed_at") != null,
                Kind.of(rs.getString("kind")));
    }

    private static byte[] mac(byte[] key, byte[] data) {
        return Arrays.copyOf(TokenKeys.hmac(key, data), MAC_BYTES);
    }

    private static byte[] derive(byte[] master) {
        return TokenKeys.derive(master, "signedmail confirm v1");
    }
}
