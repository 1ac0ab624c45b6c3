package dev.signedmail.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signedmail.Problem;
import dev.signedmail.approval.Workflow;
import dev.signedmail.audit.AuditLog;
import dev.signedmail.operator.Role;
import dev.signedmail.release.Release;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The press-office pages under {@code /office}: release list, write and edit with a live preview,
 * the release page with its actions, the approver's review (what will be sent, side by side with
 * the content hash the approval binds to), halt and resume, and the audit log. Every form carries
 * the session's CSRF token; every action goes through {@link OfficeActions} as a web actor.
 * Approving and confirming ask for the password again, so an unattended signed-in browser is not
 * enough to let a message go.
 */
final class OfficePages {
    /** Pages may load our one script (the live preview) and call back for it; nothing else. */
    static final String CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline';"
            + " img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OfficeServices s;
    private final OfficeAccess access;
    private final OfficeActions actions;
    private final Pages pages;
    private final String organisation;
    private final String previewScript;

    OfficePages(OfficeServices services, OfficeAccess access, Pages pages, String organisation) {
        this.s = services;
        this.access = access;
        this.actions = new OfficeActions(services);
        this.pages = pages;
        this.organisation = organisation;
        try (InputStream in = OfficePages.class.getResourceAsStream("/web/office/preview.js")) {
            this.previewScript = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void register(RoutesConfig routes) {
        routes.before(ctx -> {
            if (ctx.path().startsWith("/office")) {
                ctx.header("Content-Security-Policy", CSP);
            }
        });
        routes.exception(OfficeAccess.NotSignedIn.class, (e, ctx) -> {
            if ("GET".equals(ctx.method().name())) {
                ctx.redirect("/office/login?next=" + java.net.URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8),
                        HttpStatus.SEE_OTHER);
            } else {
                refused(ctx, HttpError.forbidden("you are not signed in; nothing was changed"));
            }
        });
        routes.exception(HttpError.class, (e, ctx) -> refused(ctx, e));
        routes.get("/office", ctx -> ctx.redirect(SafeRedirect.HOME, HttpStatus.SEE_OTHER));
        routes.get("/office/preview.js", ctx -> ctx.contentType("text/javascript; charset=utf-8").result(previewScript));
        routes.get("/office/releases", this::list);
        routes.get("/office/new", ctx -> editPage(ctx, null));
        routes.post("/office/new", this::create);
        routes.post("/office/preview", this::livePreview);
        routes.get("/office/releases/{id}", this::show);
        routes.get("/office/releases/{id}/edit", ctx -> editPage(ctx, id(ctx)));
        routes.post("/office/releases/{id}/edit", this::edit);
        routes.get("/office/releases/{id}/review", this::review);
        routes.post("/office/releases/{id}/submit", ctx -> step(ctx, "submitted", (a, id) -> actions.submit(a.actor(), id)));
        routes.post("/office/releases/{id}/approve", ctx -> step(ctx, "approved", (a, id) -> {
            reenterPassword(ctx, a);
            actions.approve(a.actor(), id, ctx.formParam("contentHash"));
        }));
        routes.post("/office/releases/{id}/reject", ctx -> step(ctx, "rejected",
                (a, id) -> actions.reject(a.actor(), id, ctx.formParam("reason"))));
        routes.post("/office/releases/{id}/schedule", ctx -> step(ctx, "scheduled",
                (a, id) -> actions.schedule(a.actor(), id, ctx.formParam("at"))));
        routes.post("/office/releases/{id}/send", ctx -> step(ctx, "queued", (a, id) -> actions.queueSend(a.actor(), id)));
        routes.post("/office/releases/{id}/confirm", ctx -> step(ctx, "confirmed", (a, id) -> {
            reenterPassword(ctx, a);
            actions.confirm(a.actor(), id);
        }));
        routes.post("/office/releases/{id}/retract", this::retract);
        routes.post("/office/halt", ctx -> {
            OfficeAccess.Signed a = access.form(ctx);
            actions.halt(a.actor(), ctx.formParam("reason"));
            ctx.redirect(SafeRedirect.HOME, HttpStatus.SEE_OTHER);
        });
        routes.post("/office/resume", ctx -> {
            OfficeAccess.Signed a = access.form(ctx);
            actions.resume(a.actor());
            ctx.redirect(SafeRedirect.HOME, HttpStatus.SEE_OTHER);
        });
        routes.get("/office/audit", this::audit);
    }

    /** What every signed-in page shows: who, the CSRF token for its forms, whether sending is halted. */
    private Map<String, Object> common(OfficeAccess.Signed a) {
        Map<String, Object> v = new HashMap<>();
        v.put("organisation", organisation);
        v.put("me", a.operator());
        v.put("admin", a.operator().role() == Role.ADMIN);
        v.put("csrf", a.session().csrfToken);
        v.put("halted", s.halt().halted().orElse(null));
        return v;
    }

    private void list(Context ctx) {
        OfficeAccess.Signed a = access.signedIn(ctx);
        Map<String, Object> v = common(a);
        v.put("releases", s.index().newest(200));
        ctx.html(pages.render("office/releases", v));
    }

    private void editPage(Context ctx, Long id) {
        OfficeAccess.Signed a = access.signedIn(ctx);
        Release r = id == null ? null : s.facts(id).release();
        OfficeActions.Draft d = r == null ? new OfficeActions.Draft("", "", "", "", "general", false)
                : new OfficeActions.Draft(r.title(), r.summary(), r.bodyMarkdown(), r.link(), r.topic(), r.sharedBody());
        editForm(ctx, a, r, d, "", 200);
    }

    /** The write/edit form with {@code d} filled in; after a refused save it keeps what was typed. */
    private void editForm(Context ctx, OfficeAccess.Signed a, Release r, OfficeActions.Draft d, String error, int status) {
        Map<String, Object> v = common(a);
        v.put("release", r);
        v.put("pageTitle", r == null ? "New release" : "Edit release " + r.id());
        v.put("action", r == null ? "/office/new" : "/office/releases/" + r.id() + "/edit");
        v.put("title", nonNull(d.title()));
        v.put("summary", nonNull(d.summary()));
        v.put("body", nonNull(d.body()));
        v.put("link", nonNull(d.link()));
        v.put("topic", nonNull(d.topic()));
        v.put("sharedBody", d.sharedBody());
        v.put("preview", r == null ? null : s.preview().of(r, null));
        v.put("error", error);
        ctx.status(status).html(pages.render("office/edit", v));
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private OfficeActions.Draft draft(Context ctx) {
        return new OfficeActions.Draft(ctx.formParam("title"), ctx.formParam("summary"), ctx.formParam("body"),
                ctx.formParam("link"), ctx.formParam("topic"), "on".equals(ctx.formParam("sharedBody")));
    }

    private void create(Context ctx) {
        OfficeAccess.Signed a = access.form(ctx);
        long id;
        try {
            id = actions.create(a.actor(), draft(ctx));
        } catch (HttpError e) {
            if (e.status() != 422) {
                throw e;
            }
            editForm(ctx, a, null, draft(ctx), e.getMessage(), 422);
            return;
        }
        ctx.redirect("/office/releases/" + id + "?done=created", HttpStatus.SEE_OTHER);
    }

    private void edit(Context ctx) {
        OfficeAccess.Signed a = access.form(ctx);
        long id = id(ctx);
        try {
            actions.edit(a.actor(), id, draft(ctx));
        } catch (HttpError e) {
            if (e.status() != 422) {
                throw e;
            }
            editForm(ctx, a, s.facts(id).release(), draft(ctx), e.getMessage(), 422);
            return;
        }
        ctx.redirect("/office/releases/" + id + "?done=saved", HttpStatus.SEE_OTHER);
    }

    /** The live preview of the form as typed: rendered by the templates, unsigned, not saved. */
    private void livePreview(Context ctx) throws com.fasterxml.jackson.core.JsonProcessingException {
        access.form(ctx);
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            UnsignedPreview.Result p = s.preview().of(draft(ctx).asRelease(0), null);
            m.put("subject", p.subject());
            m.put("text", p.text());
            m.put("html", p.html());
            m.put("contentHash", p.contentHash());
            m.put("error", p.error());
        } catch (HttpError e) {
            m.put("error", e.getMessage());
        }
        ctx.contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(m));
    }

    private void show(Context ctx) {
        OfficeAccess.Signed a = access.signedIn(ctx);
        ReleaseFacts f = s.facts(id(ctx));
        Map<String, Object> v = common(a);
        v.put("f", f);
        v.put("done", done(ctx.queryParam("done")));
        v.put("preview", s.preview().of(f.release(), f.state().retractsId()));
        ctx.html(pages.render("office/release", v));
    }

    /** The approver's view: exactly what will be rendered, beside the hash the approval will carry. */
    private void review(Context ctx) {
        OfficeAccess.Signed a = access.signedIn(ctx);
        ReleaseFacts f = s.facts(id(ctx));
        Map<String, Object> v = common(a);
        v.put("f", f);
        v.put("preview", s.preview().of(f.release(), f.state().retractsId()));
        v.put("cannot", cannotApprove(a, f));
        ctx.html(pages.render("office/review", v));
    }

    /** Why this operator may not approve, said before they try (the workflow refuses it anyway). */
    private static String cannotApprove(OfficeAccess.Signed a, ReleaseFacts f) {
        if (a.operator().role() == Role.EDITOR) {
            return "You are an editor: an approver or admin must approve this release.";
        }
        if (f.wroteOrEdited(a.operator().name())) {
            return "You wrote or edited this release: a second person must approve it.";
        }
        if (!"submitted".equals(f.release().status())) {
            return "This release is " + f.release().status() + "; only a submitted release can be approved.";
        }
        return "";
    }

    private void retract(Context ctx) {
        OfficeAccess.Signed a = access.form(ctx);
        long id = id(ctx);
        Workflow.Retraction r = actions.retract(a.actor(), id, ctx.formParam("reason"));
        ctx.redirect(r.noticeId() == null ? "/office/releases/" + id + "?done=retracted"
                : "/office/releases/" + r.noticeId() + "?done=notice", HttpStatus.SEE_OTHER);
    }

    private void audit(Context ctx) {
        OfficeAccess.Signed a = access.signedIn(ctx);
        Map<String, Object> v = common(a);
        String rel = ctx.queryParam("release");
        Long releaseId = null;
        if (rel != null && rel.matches("[0-9]{1,18}")) {
            releaseId = Long.parseLong(rel);
        }
        v.put("release", releaseId);
        v.put("entries", s.audit().list(releaseId, 500));
        AuditLog.Verification check = "1".equals(ctx.queryParam("verify")) ? s.audit().verify() : null;
        v.put("verified", check != null);
        v.put("intact", check != null && check.intact());
        v.put("verification", check == null ? "" : check.intact() ? "The audit chain is intact (" + check.rows() + " rows)."
                : check.problem().orElse(""));
        ctx.html(pages.render("office/audit", v));
    }

    @FunctionalInterface
    private interface Step {
        void run(OfficeAccess.Signed a, long id);
    }

    /** A workflow step from a form on the release page; back to the page, saying what happened. */
    private void step(Context ctx, String done, Step step) {
        OfficeAccess.Signed a = access.form(ctx);
        long id = id(ctx);
        step.run(a, id);
        ctx.redirect("/office/releases/" + id + "?done=" + done, HttpStatus.SEE_OTHER);
    }

    private void reenterPassword(Context ctx, OfficeAccess.Signed a) {
        String pw = ctx.formParam("password");
        try {
            s.operators().authenticatePassword(a.operator().name(), (pw == null ? "" : pw).toCharArray());
        } catch (Problem p) {
            s.audit().record(a.actor(), "refused", id(ctx), null, "password re-entry failed");
            throw HttpError.forbidden("the password is wrong (approving and confirming ask for it again); nothing was changed");
        }
    }

    private static final Map<String, String> DONE = Map.of("created", "Draft saved.", "saved",
            "Saved; it is a draft again.", "submitted", "Submitted: a second person reviews and approves it.",
            "approved", "Approved. Send it now or schedule it.", "rejected", "Rejected: it is a draft again.",
            "scheduled", "Scheduled: the sending side sends it at that time.",
            "queued", "Queued: the sending side (run-due, every minute) signs and sends it.",
            "confirmed", "Confirmed: queue it again to send.", "retracted", "Retracted: it will not be sent.",
            "notice", "Retracted. This is the withdrawal notice: a second person must approve it before it is sent.");

    private static String done(String key) {
        return key == null ? "" : DONE.getOrDefault(key, "");
    }

    private void refused(Context ctx, HttpError e) {
        Map<String, Object> v = new HashMap<>();
        v.put("organisation", organisation);
        v.put("status", e.status());
        v.put("message", e.getMessage());
        String back = ctx.pathParamMap().containsKey("id") ? "/office/releases/" + ctx.pathParam("id") : SafeRedirect.HOME;
        v.put("back", SafeRedirect.target(back));
        ctx.status(e.status()).html(pages.render("office/refused", v));
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw HttpError.notFound("there is no release " + ctx.pathParam("id"));
        }
    }
}
