package dev.signedmail.guard;

import dev.signedmail.Problem;
import dev.signedmail.audit.AuditLog;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Role;
import dev.signedmail.store.Database;
import java.time.Instant;
import java.util.Optional;

/**
 * The halt flag, kept in the database so it reaches every process: a CLI send, {@code run-due}
 * from cron, the web side. Any operator may halt (whoever notices a bad send first must be able to
 * stop it); only an admin may resume.
 */
public final class HaltSwitch {
    /**
     * Counts halts made in this process. Senders poll the database flag only once a second; a halt
     * from this same process (the web side next to the scheduled sender, a test) bumps this so they
     * look again at their next message instead of sending for up to another second.
     */
    private static final java.util.concurrent.atomic.AtomicLong LOCAL_HALTS = new java.util.concurrent.atomic.AtomicLong();

    private final Database db;

    public HaltSwitch(Database db) {
        this.db = db;
    }

    /** Why and by whom sending is halted, or empty when it is not. */
    public Optional<String> halted() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT state FROM control WHERE name = 'halt'")
                .mapTo(String.class).findOne());
    }

    public void halt(Actor actor, String reason) {
        String why = actor.name() + " at " + Instant.now() + (reason == null || reason.isBlank() ? "" : ": " + reason.strip());
        db.jdbi().useTransaction(h -> {
            h.createUpdate("UPDATE control SET state = :v, updated_at = :now WHERE name = 'halt'")
                    .bind("v", why.length() > 500 ? why.substring(0, 500) : why).bind("now", Instant.now()).execute();
            AuditLog.append(h, actor, "halt", null, null, reason);
        });
        LOCAL_HALTS.incrementAndGet();
    }

    /** How many halts this process has made; a change means "look at the flag now". */
    public static long localHalts() {
        return LOCAL_HALTS.get();
    }

    public void resume(Actor actor) {
        actor.requireOperator("resume").require("resume", Role.ADMIN);
        db.jdbi().useTransaction(h -> {
            int n = h.createUpdate("UPDATE control SET state = NULL, updated_at = :now WHERE name = 'halt' AND state IS NOT NULL")
                    .bind("now", Instant.now()).execute();
            if (n == 0) {
                throw new Problem("sending is not halted: nothing to resume");
            }
            AuditLog.append(h, actor, "resume", null, null, null);
        });
    }

    /** Refuses with the halt's reason; called before a send starts. */
    public void refuseIfHalted() {
        halted().ifPresent(why -> {
            throw new Problem("sending is halted (by " + why + "); an admin lifts it with `mailer resume`");
        });
    }
}
