package dev.signedmail.approval;

import dev.signedmail.Problem;
import dev.signedmail.audit.AuditLog;
import dev.signedmail.guard.Guardrails;
import dev.signedmail.guard.HaltSwitch;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Secrets;
import dev.signedmail.release.Release;
import dev.signedmail.send.AlertMailer;
import dev.signedmail.send.SendGuard;
import dev.signedmail.send.SendSummary;
import dev.signedmail.store.Database;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The checks in the send path itself: not halted; approved; approved by someone who neither wrote
 * nor edited it; the content and templates about to be rendered hash to what was approved; and —
 * for a fresh start that no admin confirmed — inside the guardrails, else the release is held and
 * the operators alerted. While sending, it polls the halt flag (and the release's own status, for
 * a retraction) at most once a second, and at once after a halt made in this same process.
 */
public final class SendGate implements SendGuard {
    private static final long POLL_NANOS = 1_000_000_000L;

    private final Database db;
    private final Workflow workflow;
    private final HaltSwitch halt;
    private final Guardrails guardrails;
    private final Actor actor;
    private final Supplier<AlertMailer> alerts;
    private final AuditLog audit;

    private final Object pollLock = new Object();
    private volatile long nextPoll;
    private volatile String stopReason;
    private volatile long haltsSeen = HaltSwitch.localHalts();

    public SendGate(Database db, Workflow workflow, HaltSwitch halt, Guardrails guardrails, Actor actor,
                    Supplier<AlertMailer> alerts) {
        this.db = db;
        this.workflow = workflow;
        this.halt = halt;
        this.guardrails = guardrails;
        this.actor = actor;
        this.alerts = alerts;
        this.audit = new AuditLog(db);
    }

    @Override
    public void check(Release release) {
        long id = release.id();
        stopReason = null; // a new release: forget the last one's poll
        nextPoll = System.nanoTime();
        halt.refuseIfHalted();
        ReleaseState s = workflow.state(id);
        switch (s.status()) {
            case "approved", "scheduled", "sending", "sent" -> {
            }
            case "held" -> throw new Problem("release " + id + " is held (" + s.heldReason()
                    + "); an admin lets it go with `release confirm " + id + "`");
            case "retracted" -> throw new Problem("release " + id + " was retracted; it is not sent");
            default -> throw new Problem("release " + id + " is " + s.status() + ", not approved: it is sent only after "
                    + "`release submit " + id + "` and `release approve " + id + "` by a second operator");
        }
        if (s.approvedBy() == null || s.approvedHash() == null) {
            throw new Problem("release " + id + " has no approval on record; a second operator runs `release approve " + id + "`");
        }
        if (s.approvedBy().equals(s.authorId()) || workflow.editorsOf(id).contains(s.approvedBy())) {
            throw new Problem("release " + id + " was approved by an operator who wrote or edited it; it needs a"
                    + " second person's approval (`release reject " + id + "`, then submit and approve again)");
        }
        String hash = workflow.contentHash(release, s.retractsId());
        if (!Secrets.constantTimeEquals(hash, s.approvedHash())) {
            throw new Problem("release " + id + " is not what was approved: its content or the templates changed"
                    + " since (content hash " + hash.substring(0, 12) + ", approved " + s.approvedHash().substring(0, 12)
                    + "); submit it again for approval");
        }
        boolean fresh = "approved".equals(s.status()) || "scheduled".equals(s.status());
        if (fresh && s.confirmedBy() == null) {
            var reason = guardrails.holdReason(id, Instant.now(), s.scheduledAt(), actor.operator() == null);
            if (reason.isPresent()) {
                workflow.hold(actor, id, reason.get());
                String alerted = alerts.get().send("Release " + id + " held: " + release.title(),
                        "Release " + id + " (\"" + release.title() + "\") was about to be sent by " + actor.name()
                                + " (" + actor.via() + ", " + actor.address() + ") and is **held**: " + reason.get()
                                + ".\n\nIf this is expected, an admin lets it go with `mailer release confirm " + id
                                + "`. If not, run `mailer halt` and disable the operator.\n");
                audit.record(actor, "alert", id, hash, alerted);
                throw new Problem("release " + id + " is held: " + reason.get() + "; " + alerted
                        + "; an admin lets it go with `release confirm " + id + "`");
            }
        }
        if (!"sent".equals(s.status())) {
            audit.record(actor, "sending".equals(s.status()) ? "send-resume" : "send", id, hash, null);
        }
    }

    @Override
    public boolean stopRequested(long releaseId) {
        long now = System.nanoTime();
        long halts = HaltSwitch.localHalts();
        if (now - nextPoll >= 0 || halts != haltsSeen) {
            synchronized (pollLock) {
                if (now - nextPoll >= 0 || halts != haltsSeen) {
                    stopReason = poll(releaseId);
                    haltsSeen = halts; // only now: a thread that sees it must also see the new stopReason
                    nextPoll = System.nanoTime() + POLL_NANOS;
                }
            }
        }
        return stopReason != null;
    }

    private String poll(long releaseId) {
        return db.jdbi().withHandle(h -> {
            String halted = h.createQuery("SELECT state FROM control WHERE name = 'halt'").mapTo(String.class).findOne()
                    .orElse(null);
            if (halted != null) {
                return "sending was halted (by " + halted + "); the rest is sent after `mailer resume` and `release send "
                        + releaseId + "`";
            }
            String status = h.createQuery("SELECT status FROM releases WHERE id = :id").bind("id", releaseId)
                    .mapTo(String.class).findOne().orElse("retracted");
            return "retracted".equals(status) ? "release " + releaseId + " was retracted while sending" : null;
        });
    }

    @Override
    public String stopReason() {
        String r = stopReason;
        return r == null ? "interrupted" : r;
    }

    @Override
    public void finished(Release release, SendSummary summary) {
        workflow.finished(actor, release.id(), "sent " + summary.totals());
    }
}
