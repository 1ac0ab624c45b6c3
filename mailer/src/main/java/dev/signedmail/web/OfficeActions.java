package dev.signedmail.web;

import dev.signedmail.Problem;
import dev.signedmail.approval.Workflow;
import dev.signedmail.cron.RunDue;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Secrets;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseStore;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The actions the pages and the API offer, each through {@link Workflow} or the halt switch as the
 * given {@link Actor} (interface web or api, client address), so the CLI's rules and audit rows
 * apply unchanged. Refusals become {@link HttpError}s; one for lack of rights (403) is audited
 * too, because an editor trying to approve is worth seeing in the log.
 */
final class OfficeActions {
    private final OfficeServices s;

    OfficeActions(OfficeServices services) {
        this.s = services;
    }

    /** The editable fields as typed; validated into content, or 422 naming the field. */
    record Draft(String title, String summary, String body, String link, String topic, boolean sharedBody) {
        ReleaseStore.Content validate() {
            try {
                return ReleaseStore.validate(title, summary, body, link, topic).withSharedBody(sharedBody);
            } catch (Problem p) {
                throw HttpError.unprocessable(p.getMessage().replace("--body FILE.md", "the body").replace("--", ""));
            }
        }

        /** The content as an unsaved release, for the live preview. */
        Release asRelease(long id) {
            ReleaseStore.Content c = validate();
            return new Release(id, c.title(), c.summary(), c.bodyMarkdown(), c.link(), c.topic(), Instant.now(), "draft",
                    c.sharedBody());
        }
    }

    long create(Actor actor, Draft draft) {
        ReleaseStore.Content c = draft.validate();
        return attempt(actor, "create", null, () -> s.workflow().create(actor, c));
    }

    void edit(Actor actor, long id, Draft draft) {
        ReleaseStore.Content c = draft.validate();
        attempt(actor, "edit", id, () -> {
            s.workflow().edit(actor, id, c);
            return null;
        });
    }

    void submit(Actor actor, long id) {
        attempt(actor, "submit", id, () -> {
            s.workflow().submit(actor, id);
            return null;
        });
    }

    /**
     * Approves, but only the content the approver saw: {@code seenHash} (when given) must be the
     * content hash now, else someone changed it while they were reading (409).
     */
    void approve(Actor actor, long id, String seenHash) {
        attempt(actor, "approve", id, () -> {
            if (seenHash != null) {
                String now = s.facts(id).currentHash();
                if (!Secrets.constantTimeEquals(now, seenHash.strip())) {
                    throw new HttpError(409, "release " + id + " changed since you looked at it (content hash now "
                            + now.substring(0, 12) + "); review it again");
                }
            }
            s.workflow().approve(actor, id);
            return null;
        });
    }

    void reject(Actor actor, long id, String reason) {
        attempt(actor, "reject", id, () -> {
            s.workflow().reject(actor, id, blankToNull(reason));
            return null;
        });
    }

    /** @param at a time as {@code release schedule --at} takes it (local time in send.zone, or with offset) */
    Instant schedule(Actor actor, long id, String at) {
        if (at == null || at.isBlank()) {
            throw HttpError.unprocessable("at is empty: give a time such as 2026-07-01T08:00");
        }
        Instant when;
        try {
            when = RunDue.parseTime(at, s.zone());
        } catch (Problem p) {
            throw HttpError.unprocessable(p.getMessage().replace("--at", "at"));
        }
        attempt(actor, "schedule", id, () -> {
            s.workflow().schedule(actor, id, when);
            return null;
        });
        return when;
    }

    /**
     * "Send" from the web: the release is scheduled for now, and the sending side's next
     * {@code run-due} (cron, every minute) signs and sends it through the same send gate.
     */
    Instant queueSend(Actor actor, long id) {
        Instant now = Instant.now();
        attempt(actor, "send", id, () -> {
            s.workflow().schedule(actor, id, now);
            return null;
        });
        return now;
    }

    void confirm(Actor actor, long id) {
        attempt(actor, "confirm", id, () -> {
            s.workflow().confirm(actor, id);
            return null;
        });
    }

    Workflow.Retraction retract(Actor actor, long id, String reason) {
        if (reason == null || reason.isBlank()) {
            throw HttpError.unprocessable("reason is empty: say why the release is withdrawn (subscribers read it)");
        }
        return attempt(actor, "retract", id, () -> s.workflow().retract(actor, id, reason));
    }

    void halt(Actor actor, String reason) {
        attempt(actor, "halt", null, () -> {
            s.halt().halt(actor, blankToNull(reason));
            return null;
        });
    }

    void resume(Actor actor) {
        attempt(actor, "resume", null, () -> {
            s.halt().resume(actor);
            return null;
        });
    }

    private <T> T attempt(Actor actor, String action, Long id, Supplier<T> step) {
        if (id != null && s.releases().find(id).isEmpty()) {
            throw HttpError.notFound("there is no release " + id);
        }
        try {
            return step.get();
        } catch (Problem p) {
            HttpError e = HttpError.of(p);
            if (e.status() == 403) {
                s.audit().record(actor, "refused", id, null, action + ": " + p.getMessage());
            }
            throw e;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
