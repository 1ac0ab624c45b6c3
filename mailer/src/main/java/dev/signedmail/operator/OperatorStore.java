package dev.signedmail.operator;

import dev.signedmail.Problem;
import dev.signedmail.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Operators in the database, and the checks of their secrets. A wrong token or password is
 * counted; after {@link #MAX_FAILURES} within {@link #LOCKOUT} the subject (the address for
 * tokens, the operator for passwords) is refused even with the right secret until the window passes,
 * so guessing is slow and a lockout is visible in the audit log.
 */
public final class OperatorStore {
    public static final int MAX_FAILURES = 5;
    public static final Duration LOCKOUT = Duration.ofMinutes(15);

    private final Database db;

    public OperatorStore(Database db) {
        this.db = db;
    }

    /** A new operator and its API token, shown once and stored only as a hash. */
    public record Created(Operator operator, String token) {
    }

    public Created add(String name, Role role) {
        String n = name == null ? "" : name.strip();
        if (!n.matches("[a-z][a-z0-9._-]{0,63}")) {
            throw new Problem("operator name '" + name + "' must be lower-case letters, digits, '.', '_' or '-',"
                    + " starting with a letter, e.g. jsmith");
        }
        if (find(n).isPresent()) {
            throw new Problem("there is already an operator '" + n + "' (`mailer operators list`)");
        }
        String token = Secrets.newToken();
        Instant now = Instant.now();
        db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO operators (name, role, token_hash, created_at)"
                        + " VALUES (:n, :r, :t, :now)")
                .bind("n", n).bind("r", role.label()).bind("t", Secrets.tokenHash(token)).bind("now", now).execute());
        return new Created(find(n).orElseThrow(), token);
    }

    /** A fresh token for an operator; the old one stops working at once. */
    public String newToken(Operator o) {
        String token = Secrets.newToken();
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE operators SET token_hash = :t WHERE id = :id")
                .bind("t", Secrets.tokenHash(token)).bind("id", o.id()).execute());
        return token;
    }

    public void disable(Operator o) {
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE operators SET disabled = TRUE WHERE id = :id")
                .bind("id", o.id()).execute());
    }

    public void setPassword(Operator o, char[] password) {
        if (password.length < 12) {
            throw new Problem("the password is too short: use at least 12 characters (a passphrase is best)");
        }
        String hash = PasswordHasher.hash(password);
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE operators SET password_hash = :p WHERE id = :id")
                .bind("p", hash).bind("id", o.id()).execute());
    }

    public Optional<Operator> find(String name) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM operators WHERE name = :n")
                .bind("n", name == null ? "" : name.strip()).map((rs, ctx) -> map(rs)).findOne());
    }

    public Operator get(String name) {
        return find(name).orElseThrow(() -> new Problem("there is no operator '" + name + "' (`mailer operators list`)"));
    }

    public Optional<Operator> byId(long id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM operators WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> map(rs)).findOne());
    }

    public List<Operator> list() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM operators ORDER BY name")
                .map((rs, ctx) -> map(rs)).list());
    }

    public boolean anyAdmin() {
        return db.jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM operators WHERE role = 'admin' AND disabled = FALSE").mapTo(Integer.class).one()) > 0;
    }

    /**
     * The operator whose API token this is, checked in constant time against the stored hash.
     *
     * @param address where the request came from; too many wrong tokens from it lock it out
     */
    public Operator authenticateToken(String token, String address) {
        String subject = "address:" + address;
        refuseIfLockedOut(subject, "this address (" + address + ")");
        String presented = Secrets.tokenHash(token == null ? "" : token);
        Optional<Row> row = db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM operators WHERE token_hash = :t")
                .bind("t", presented).map((rs, ctx) -> new Row(map(rs), rs.getString("token_hash"))).findOne());
        if (row.isEmpty() || !Secrets.constantTimeEquals(row.get().secret, presented)) {
            fail(subject);
            throw new Problem("the API token is not valid (MAILER_TOKEN or --token-file): ask an admin for a new one"
                    + " with `mailer operators token NAME`");
        }
        return enabled(row.get().operator);
    }

    /** Checks a password (for the web UI); the operator is locked out after repeated failures. */
    public Operator authenticatePassword(String name, char[] password) {
        String subject = "operator:" + name;
        refuseIfLockedOut(subject, "operator '" + name + "'");
        Optional<Row> row = db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM operators WHERE name = :n")
                .bind("n", name).map((rs, ctx) -> new Row(map(rs), rs.getString("password_hash"))).findOne());
        // hash even for an unknown name, so the answer takes as long either way
        String encoded = row.map(r -> r.secret).orElse(DUMMY);
        boolean ok = PasswordHasher.matches(password, encoded) && row.isPresent() && row.get().secret != null;
        if (!ok) {
            fail(subject);
            throw new Problem("wrong name or password");
        }
        return enabled(row.get().operator);
    }

    /**
     * What an unknown name's password is checked against: the hash of "not a password", written out
     * rather than computed when the class loads, where its Argon2 run (about 1 s in a fresh JVM)
     * delayed every CLI command, token logins included. Checking against it costs the same as
     * against a real hash: the parameters are in the string.
     */
    static final String DUMMY =
            "$argon2id$v=19$m=19456,t=2,p=1$yF6cXInGToLNKEi2gljChw$aqb3mepfUnKCWmqnJcu+grj16vuMlRvHVOcUFD3OcEc";

    private record Row(Operator operator, String secret) {
    }

    private static Operator enabled(Operator o) {
        if (o.disabled()) {
            throw new Problem("operator '" + o.name() + "' is disabled; an admin can create a new operator");
        }
        return o;
    }

    private void refuseIfLockedOut(String subject, String who) {
        Instant since = Instant.now().minus(LOCKOUT);
        int failures = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM auth_failures WHERE subject = :s AND at > :since")
                .bind("s", subject).bind("since", since).mapTo(Integer.class).one());
        if (failures >= MAX_FAILURES) {
            throw new Problem(who + " is locked out after " + failures + " failed sign-ins in "
                    + LOCKOUT.toMinutes() + " minutes; wait " + LOCKOUT.toMinutes() + " minutes or ask an admin");
        }
    }

    private void fail(String subject) {
        db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO auth_failures (subject, at) VALUES (:s, :now)")
                .bind("s", subject).bind("now", Instant.now()).execute());
    }

    static Operator map(ResultSet rs) throws SQLException {
        return new Operator(rs.getLong("id"), rs.getString("name"), Role.parse(rs.getString("role")),
                rs.getBoolean("disabled"), rs.getString("password_hash") != null,
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }

}
