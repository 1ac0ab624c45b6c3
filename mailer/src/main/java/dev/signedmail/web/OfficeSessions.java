package dev.signedmail.web;

import dev.signedmail.operator.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side sessions of the press-office pages. The cookie holds only a random 32-byte id; the
 * map is keyed by its SHA-256, so neither a heap dump nor lookup timing gives a usable id away. A
 * session dies after {@link #IDLE} without a request and {@link #ABSOLUTE} after it was created,
 * and it is replaced by a new id at login (no session fixation). Before login a session exists
 * only to carry the login form's CSRF token.
 */
final class OfficeSessions {
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration ABSOLUTE = Duration.ofHours(8);
    private static final int MAX_SESSIONS = 10_000;

    /** One browser's session: who (null before login) and its CSRF token. */
    static final class Session {
        private final String key;
        final Long operatorId;
        final String csrfToken;
        final Instant created;
        private volatile Instant lastSeen;

        private Session(String key, Long operatorId, Instant now) {
            this.key = key;
            this.operatorId = operatorId;
            this.csrfToken = random();
            this.created = now;
            this.lastSeen = now;
        }

        boolean loggedIn() {
            return operatorId != null;
        }

        /** The synchronizer token check, in constant time. */
        boolean csrfMatches(String presented) {
            return Secrets.constantTimeEquals(csrfToken, presented);
        }

        boolean expired(Instant now) {
            return now.isAfter(lastSeen.plus(IDLE)) || now.isAfter(created.plus(ABSOLUTE));
        }
    }

    /** A new session and the id for its cookie (the id itself is not kept). */
    record Issued(String id, Session session) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    Issued anonymous() {
        return issue(null);
    }

    /** Ends {@code previousId}'s session and starts a new one, with a new id and CSRF token, for the operator. */
    Issued login(String previousId, long operatorId) {
        end(previousId);
        return issue(operatorId);
    }

    Optional<Session> find(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return Optional.empty();
        }
        String key = key(id);
        Session s = sessions.get(key);
        Instant now = Instant.now();
        if (s == null) {
            return Optional.empty();
        }
        if (s.expired(now)) {
            sessions.remove(key);
            return Optional.empty();
        }
        s.lastSeen = now;
        return Optional.of(s);
    }

    void end(String id) {
        if (id != null && !id.isEmpty() && id.length() <= 100) {
            sessions.remove(key(id));
        }
    }

    /** Sessions held now, anonymous ones included. */
    int size() {
        return sessions.size();
    }

    private Issued issue(Long operatorId) {
        Instant now = Instant.now();
        if (sessions.size() >= MAX_SESSIONS) {
            sweep(now);
        }
        String id = random();
        Session s = new Session(key(id), operatorId, now);
        sessions.put(s.key, s);
        return new Issued(id, s);
    }

    /** Drops expired sessions, then — if a flood of anonymous ones still fills the map — the anonymous ones. */
    private void sweep(Instant now) {
        sessions.values().removeIf(s -> s.expired(now));
        if (sessions.size() >= MAX_SESSIONS) {
            for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
                if (!it.next().loggedIn()) {
                    it.remove();
                }
            }
        }
    }

    private static String key(String id) {
        return Secrets.sha256Hex(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String random() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Secrets.randomBytes(32));
    }
}
