package dev.signedmail.approval;

import dev.signedmail.Problem;
import dev.signedmail.audit.AuditLog;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Operator;
import dev.signedmail.operator.Role;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseStore;
import dev.signedmail.render.TemplateVersion;
import dev.signedmail.store.Database;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Every step of a release's life, each checked (role, state, who) and audited in the same
 * transaction as the change. The rule that matters: the operator who approves is neither the
 * author nor anyone who edited the content, and the approval is bound to the content hash.
 */
public final class Workflow {
    /** States whose content may still change; an edit sends the release back to draft. */
    private static final Set<String> EDITABLE = Set.of("draft", "submitted", "approved", "scheduled", "held");

    private final Database db;
    private final Settings settings;

    public Workflow(Database db, Settings settings) {
        this.db = db;
        this.settings = settings;
    }

    /** The hash an approval made now would carry, and the one the send path compares against. */
    public String contentHash(Release r, Long retractsId) {
        return ContentHash.of(r, retractsId, TemplateVersion.of(settings.path(Setting.TEMPLATES)));
    }

    public ReleaseState state(long id) {
        return db.jdbi().withHandle(h -> ReleaseState.load(h, id, false));
    }

    public long create(Actor actor, ReleaseStore.Content content) {
        Operator op = actor.requireOperator("release create");
        op.require("release create", Role.EDITOR, Role.ADMIN);
        return db.jdbi().inTransaction(h -> {
            long id = ReleaseStore.insert(h, op.id(), content, null, "draft");
            addEditor(h, id, op);
            AuditLog.append(h, actor, "create", id, hash(h, id), content.title());
            return id;
        });
    }

    /** Changes the content; any approval, schedule or confirmation is void and the release is a draft again. */
    public void edit(Actor actor, long id, ReleaseStore.Content content) {
        Operator op = actor.requireOperator("release edit");
        op.require("release edit", Role.EDITOR, Role.ADMIN);
        db.jdbi().useTransaction(h -> {
            ReleaseState s = ReleaseState.load(h, id, true);
            if (!EDITABLE.contains(s.status()) || s.snapshotAt() != null) {
                throw new Problem("release " + id + " is " + s.status() + ": its content can no longer change"
                        + " (retract it with `release retract " + id + " --reason …` and write a new one)");
            }
            if (s.isRetraction()) {
                throw new Problem("release " + id + " is a retraction notice: its text is fixed; reject it and retract again");
            }
            h.createUpdate("UPDATE releases SET title = :title, summary = :summary, body_md = :body, link = :link,"
                            + " topic = :topic, shared_body = :shared, status = 'draft', approved_by = NULL, approved_hash = NULL, approved_at = NULL,"
                            + " scheduled_at = NULL, held_reason = NULL, confirmed_by = NULL, updated_at = :now WHERE id = :id")
                    .bind("title", content.title()).bind("summary", content.summary()).bind("body", content.bodyMarkdown())
                    .bind("link", content.link()).bind("topic", content.topic()).bind("shared", content.sharedBody())
                    .bind("now", Instant.now()).bind("id", id)
                    .execute();
            addEditor(h, id, op);
            AuditLog.append(h, actor, "edit", id, hash(h, id),
                    s.approvedBy() != null ? "approval voided (was " + s.status() + ")" : null);
        });
    }

    public void submit(Actor actor, long id) {
        Operator op = actor.requireOperator("release submit");
        op.require("release submit", Role.EDITOR, Role.ADMIN);
        transition(actor, id, "submit", Set.of("draft"), "submitted", null);
    }

    public void approve(Actor actor, long id) {
        Operator op = actor.requireOperator("release approve");
        op.require("release approve", Role.APPROVER, Role.ADMIN);
        db.jdbi().useTransaction(h -> {
            ReleaseState s = ReleaseState.load(h, id, true);
            if (!"submitted".equals(s.status())) {
                throw new Problem("release " + id + " is " + s.status() + ", not submitted: "
                        + ("draft".equals(s.status()) ? "its editor submits it first with `release submit " + id + "`"
                        : "only a submitted release can be approved"));
            }
            if (Long.valueOf(op.id()).equals(s.authorId()) || editors(h, id).contains(op.id())) {
                throw new Problem("operator '" + op.name() + "' wrote or edited release " + id
                        + " and cannot approve it: a second person must (two-person rule)");
            }
            String hash = hash(h, id);
            h.createUpdate("UPDATE releases SET status = 'approved', approved_by = :op, approved_hash = :hash,"
                            + " approved_at = :now, updated_at = :now WHERE id = :id")
                    .bind("op", op.id()).bind("hash", hash).bind("now", Instant.now()).bind("id", id).execute();
            AuditLog.append(h, actor, "approve", id, hash, null);
        });
    }

    public void reject(Actor actor, long id, String reason) {
        Operator op = actor.requireOperator("release reject");
        op.require("release reject", Role.APPROVER, Role.ADMIN);
        transition(actor, id, "reject", Set.of("submitted", "approved", "scheduled", "held"), "draft", reason);
    }

    public void schedule(Actor actor, long id, Instant at) {
        actor.requireOperator("release schedule");
        db.jdbi().useTransaction(h -> {
            ReleaseState s = ReleaseState.load(h, id, true);
            if (!Set.of("approved", "scheduled").contains(s.status())) {
                throw new Problem("release " + id + " is " + s.status() + ": only an approved release can be scheduled");
            }
            h.createUpdate("UPDATE releases SET status = 'scheduled', scheduled_at = :at, updated_at = :now WHERE id = :id")
                    .bind("at", at).bind("now", Instant.now()).bind("id", id).execute();
            AuditLog.append(h, actor, "schedule", id, s.approvedHash(), "at " + at);
        });
    }

    /** An admin lets a held release go: the guardrails are not asked again for it. */
    public void confirm(Actor actor, long id) {
        Operator op = actor.requireOperator("release confirm");
        op.require("release confirm", Role.ADMIN);
        db.jdbi().useTransaction(h -> {
            ReleaseState s = ReleaseState.load(h, id, true);
            if (!"held".equals(s.status())) {
                throw new Problem("release " + id + " is " + s.status() + ", not held: nothing to confirm");
            }
            if (Long.valueOf(op.id()).equals(s.authorId()) || editors(h, id).contains(op.id())) {
                throw new Problem("operator '" + op.name() + "' wrote release " + id + " and cannot confirm it: another admin must");
            }
            h.createUpdate("UPDATE releases SET status = 'approved', confirmed_by = :op, updated_at = :now WHERE id = :id")
                    .bind("op", op.id()).bind("now", Instant.now()).bind("id", id).execute();
            AuditLog.append(h, actor, "confirm", id, s.approvedHash(), "held because: " + s.heldReason());
        });
    }

    /** The guardrails stopped a start: the release waits for an admin's {@link #confirm}. */
    public void hold(Actor actor, long id, String reason) {
        db.jdbi().useTransaction(h -> {
            ReleaseState s = ReleaseState.load(h, id, true);
            h.createUpdate("UPDATE releases SET status = 'held', held_reason = :why, updated_at = :now WHERE id = :id")
                    .bind("why", reason.length() > 500 ? reason.substring(0, 500) : reason).bind("now", Instant.now())
                    .bind("id", id).execute();
            AuditLog.append(h, actor, "hold", id, s.approvedHash(), reason);
        });
    }

    /** What {@link #retract} did: the notice release to approve and send, or none when nobody had it yet. */
    public record Retraction(long originalId, Long noticeId, int recipients) {
    }

    /**
     * Withdraws a release. One not yet sent to anyone is simply stopped (stopping is always safe).
     * One that reached subscribers gets a notice, itself a release linked to the original that
     * needs a second operator's approval like any other: a stolen account must not be able to
     * discredit a true warning by "withdrawing" it in our name.
     */
    public Retraction retract(Actor actor, long id, String reason) {
        Operator op = actor.requireOperator("release retract");
        op.require("release retract", Role.EDITOR, Role.ADMIN);
        String why = reason == null ? "" : reason.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
        if (why.isEmpty()) {
            throw new Problem("--reason is empty: say why the release is withdrawn (subscribers read it)");
        }
        return db.jdbi().inTransaction(h -> {
            ReleaseState s = ReleaseState.load(h, id, true);
            if ("retracted".equals(s.status())) {
                throw new Problem("release " + id + " is already retracted");
            }
            if (s.isRetraction()) {
                throw new Problem("release " + id + " is a retraction notice; reject it instead (`release reject " + id + "`)");
            }
            int received = h.createQuery("SELECT COUNT(*) FROM outbox WHERE release_id = :id AND status = 'sent'")
                    .bind("id", id).mapTo(Integer.class).one();
            h.createUpdate("UPDATE releases SET status = 'retracted', updated_at = :now WHERE id = :id")
                    .bind("now", Instant.now()).bind("id", id).execute();
            Release original = ReleaseStore.find(h, id).orElseThrow();
            if (received == 0) {
                AuditLog.append(h, actor, "retract", id, hash(h, id), "nobody had received it; stopped: " + why);
                return new Retraction(id, null, 0);
            }
            ZoneId zone = dev.signedmail.guard.Guardrails.zone(settings);
            String date = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH)
                    .format((s.snapshotAt() != null ? s.snapshotAt() : original.createdAt()).atZone(zone));
            String title = "Withdrawn: " + original.title();
            String body = "The message of " + date + " titled \"" + original.title() + "\" was withdrawn because "
                    + why + (why.endsWith(".") ? "" : ".") + "\n\nPlease disregard it.\n";
            ReleaseStore.Content c = ReleaseStore.validate(title.length() > 300 ? title.substring(0, 299) + "…" : title,
                    "We have withdrawn an earlier message.", body, null, original.topic())
                    .withSharedBody(original.sharedBody()); // as urgent as the message it withdraws
            long notice = ReleaseStore.insert(h, op.id(), c, id, "submitted");
            addEditor(h, notice, op);
            AuditLog.append(h, actor, "retract", id, hash(h, id), "notice " + notice + " to " + received
                    + " recipient(s) awaits a second operator's approval: " + why);
            AuditLog.append(h, actor, "create", notice, hash(h, notice), "retraction notice for release " + id);
            return new Retraction(id, notice, received);
        });
    }

    /** Called by the send path when a release has been delivered to everyone it will reach. */
    public void finished(Actor actor, long id, String summary) {
        db.jdbi().useTransaction(h -> AuditLog.append(h, actor, "sent", id, ReleaseState.load(h, id, false).approvedHash(),
                summary));
    }

    private void transition(Actor actor, long id, String action, Set<String> from, String to, String detail) {
        db.jdbi().useTransaction(h -> {
            ReleaseState s = ReleaseState.load(h, id, true);
            if (!from.contains(s.status())) {
                throw new Problem("release " + id + " is " + s.status() + ": `release " + action + "` needs it to be "
                        + String.join(" or ", from.stream().sorted().toList()));
            }
            boolean voids = "draft".equals(to);
            h.createUpdate("UPDATE releases SET status = :to, updated_at = :now"
                            + (voids ? ", approved_by = NULL, approved_hash = NULL, approved_at = NULL, scheduled_at = NULL,"
                            + " held_reason = NULL, confirmed_by = NULL" : "") + " WHERE id = :id")
                    .bind("to", to).bind("now", Instant.now()).bind("id", id).execute();
            AuditLog.append(h, actor, action, id, hash(h, id), detail);
        });
    }

    private String hash(Handle h, long id) {
        ReleaseState s = ReleaseState.load(h, id, false);
        return contentHash(ReleaseStore.find(h, id).orElseThrow(), s.retractsId());
    }

    private static void addEditor(Handle h, long releaseId, Operator op) {
        int n = h.createQuery("SELECT COUNT(*) FROM release_editors WHERE release_id = :r AND operator_id = :o")
                .bind("r", releaseId).bind("o", op.id()).mapTo(Integer.class).one();
        if (n == 0) {
            h.createUpdate("INSERT INTO release_editors (release_id, operator_id) VALUES (:r, :o)")
                    .bind("r", releaseId).bind("o", op.id()).execute();
        }
    }

    /** Everyone who wrote or edited a release's content. */
    public List<Long> editorsOf(long releaseId) {
        return db.jdbi().withHandle(h -> editors(h, releaseId));
    }

    private static List<Long> editors(Handle h, long releaseId) {
        return h.createQuery("SELECT operator_id FROM release_editors WHERE release_id = :r")
                .bind("r", releaseId).mapTo(Long.class).list();
    }
}
