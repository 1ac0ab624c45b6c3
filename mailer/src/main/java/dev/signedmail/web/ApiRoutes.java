package dev.signedmail.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signedmail.Problem;
import dev.signedmail.approval.Workflow;
import dev.signedmail.audit.AuditEntry;
import dev.signedmail.audit.AuditLog;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Operator;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;

import java.util.Map;

/**
 * The JSON API under {@code /api}: the CLI's release, halt and audit commands over HTTP. Every
 * request carries an operator's API token as {@code Authorization: Bearer …}, checked by
 * {@link dev.signedmail.operator.OperatorStore#authenticateToken} (constant time, lockout per
 * address); session cookies are not accepted here, so there is nothing for CSRF to ride on.
 * Errors are {@code {"error": "…"}} with 401, 403, 404, 409 or 422.
 */
final class ApiRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_AUDIT_ROWS = 1000;

    private final OfficeServices s;
    private final OfficeActions actions;

    ApiRoutes(OfficeServices services) {
        this.s = services;
        this.actions = new OfficeActions(services);
    }

    /** One API call: the authenticated actor and the request; returns what is sent back as JSON. */
    @FunctionalInterface
    private interface Call {
        Object handle(Context ctx, Actor actor);
    }

    /** A reply with a status other than 200. */
    private record Status(int code, Object body) {
    }

    void register(RoutesConfig routes) {
        routes.get("/api/releases", api((ctx, a) -> s.index().newest(limit(ctx, 200)).stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("title", r.title());
            m.put("topic", r.topic());
            m.put("status", r.status());
            m.put("author", r.author());
            m.put("approvedBy", r.approvedBy());
            m.put("updatedAt", String.valueOf(r.updatedAt()));
            m.put("scheduledAt", r.scheduledAt() == null ? null : r.scheduledAt().toString());
            m.put("retracts", r.retractsId());
            return m;
        }).toList()));
        routes.post("/api/releases", api((ctx, a) -> {
            long id = actions.create(a, draft(body(ctx), null));
            return new Status(201, s.facts(id).json());
        }));
        routes.get("/api/releases/{id}", api((ctx, a) -> s.facts(id(ctx)).json()));
        routes.put("/api/releases/{id}", api((ctx, a) -> {
            long id = id(ctx);
            actions.edit(a, id, draft(body(ctx), s.facts(id)));
            return s.facts(id).json();
        }));
        routes.get("/api/releases/{id}/preview", api((ctx, a) -> {
            ReleaseFacts f = s.facts(id(ctx));
            UnsignedPreview.Result p = s.preview().of(f.release(), f.state().retractsId());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("signed", false);
            m.put("note", "preview, unsigned: the sending side signs each message when it is sent");
            m.put("subject", p.subject());
            m.put("text", p.text());
            m.put("html", p.html());
            m.put("contentHash", p.contentHash());
            m.put("templateError", p.error());
            return m;
        }));
        routes.post("/api/releases/{id}/submit", step((ctx, a, id) -> actions.submit(a, id)));
        routes.post("/api/releases/{id}/approve", step((ctx, a, id) -> actions.approve(a, id, text(body(ctx), "contentHash"))));
        routes.post("/api/releases/{id}/reject", step((ctx, a, id) -> actions.reject(a, id, text(body(ctx), "reason"))));
        routes.post("/api/releases/{id}/schedule", step((ctx, a, id) -> actions.schedule(a, id, text(body(ctx), "at"))));
        routes.post("/api/releases/{id}/send", step((ctx, a, id) -> actions.queueSend(a, id)));
        routes.post("/api/releases/{id}/confirm", step((ctx, a, id) -> actions.confirm(a, id)));
        routes.post("/api/releases/{id}/retract", api((ctx, a) -> {
            long id = id(ctx);
            Workflow.Retraction r = actions.retract(a, id, text(body(ctx), "reason"));
            Map<String, Object> m = new LinkedHashMap<>(s.facts(id).json());
            m.put("notice", r.noticeId());
            m.put("noticeRecipients", r.recipients());
            return m;
        }));
        routes.get("/api/halt", api((ctx, a) -> haltState()));
        routes.post("/api/halt", api((ctx, a) -> {
            actions.halt(a, text(body(ctx), "reason"));
            return haltState();
        }));
        routes.post("/api/resume", api((ctx, a) -> {
            actions.resume(a);
            return haltState();
        }));
        routes.get("/api/audit", api((ctx, a) -> {
            String release = ctx.queryParam("release");
            Long releaseId = release == null || release.isBlank() ? null : parseId(release);
            return s.audit().list(releaseId, limit(ctx, MAX_AUDIT_ROWS)).stream().map(ApiRoutes::auditRow).toList();
        }));
        routes.get("/api/audit/verify", api((ctx, a) -> {
            AuditLog.Verification v = s.audit().verify();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("intact", v.intact());
            m.put("rows", v.rows());
            m.put("problem", v.problem().orElse(null));
            return m;
        }));
    }

    @FunctionalInterface
    private interface Step {
        void run(Context ctx, Actor actor, long id);
    }

    /** A workflow step on one release; answers with the release as it is afterwards. */
    private Handler step(Step step) {
        return api((ctx, a) -> {
            long id = id(ctx);
            step.run(ctx, a, id);
            return s.facts(id).json();
        });
    }

    private Handler api(Call call) {
        return ctx -> {
            Object reply;
            int status = 200;
            try {
                Object r = call.handle(ctx, authenticate(ctx));
                if (r instanceof Status st) {
                    status = st.code();
                    reply = st.body();
                } else {
                    reply = r;
                }
            } catch (HttpError e) {
                status = e.status();
                reply = Map.of("error", e.getMessage());
                if (status == 401) {
                    ctx.header("WWW-Authenticate", "Bearer");
                }
            } catch (Problem p) {
                HttpError e = HttpError.of(p);
                status = e.status();
                reply = Map.of("error", e.getMessage());
            }
            ctx.status(status).contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(reply));
        };
    }

    private Actor authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            throw HttpError.unauthorized("send an operator's API token as `Authorization: Bearer TOKEN`");
        }
        Operator op;
        try {
            op = s.operators().authenticateToken(header.substring(7).strip(), ctx.ip());
        } catch (Problem p) {
            throw HttpError.unauthorized(p.getMessage());
        }
        return Actor.of(op, "api", ctx.ip());
    }

    private Map<String, Object> haltState() {
        Map<String, Object> m = new LinkedHashMap<>();
        var halted = s.halt().halted();
        m.put("halted", halted.isPresent());
        m.put("by", halted.orElse(null));
        return m;
    }

    private static Map<String, Object> auditRow(AuditEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("at", e.at().toString());
        m.put("operator", e.operator());
        m.put("action", e.action());
        m.put("release", e.releaseId());
        m.put("contentHash", e.contentHash());
        m.put("via", e.via());
        m.put("address", e.address());
        m.put("detail", e.detail());
        return m;
    }

    /** The fields of a create or edit; on edit a field left out keeps its value. */
    private static OfficeActions.Draft draft(JsonNode body, ReleaseFacts current) {
        var r = current == null ? null : current.release();
        return new OfficeActions.Draft(field(body, "title", r == null ? null : r.title()),
                field(body, "summary", r == null ? null : r.summary()), field(body, "body", r == null ? null : r.bodyMarkdown()),
                field(body, "link", r == null ? null : r.link()), field(body, "topic", r == null ? null : r.topic()),
                flag(body, "sharedBody", r != null && r.sharedBody()));
    }

    private static String field(JsonNode body, String name, String otherwise) {
        JsonNode n = body.get(name);
        if (n == null) {
            return otherwise;
        }
        if (n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw HttpError.unprocessable(name + " must be a string");
        }
        return n.asText();
    }

    private static boolean flag(JsonNode body, String name, boolean otherwise) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        if (!n.isBoolean()) {
            throw HttpError.unprocessable(name + " must be true or false");
        }
        return n.asBoolean();
    }

    private static String text(JsonNode body, String name) {
        return field(body, name, null);
    }

    /** The request body as a JSON object; an empty body is an empty object. */
    private static JsonNode body(Context ctx) {
        String b = ctx.body();
        if (b == null || b.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(b);
            if (n == null || !n.isObject()) {
                throw HttpError.unprocessable("the body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw HttpError.unprocessable("the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static long id(Context ctx) {
        return parseId(ctx.pathParam("id"));
    }

    private static long parseId(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw HttpError.notFound("'" + text + "' is not a release id");
        }
    }

    private static int limit(Context ctx, int max) {
        String l = ctx.queryParam("limit");
        if (l == null || l.isBlank()) {
            return max;
        }
        try {
            return Math.max(1, Math.min(max, Integer.parseInt(l)));
        } catch (NumberFormatException e) {
            throw HttpError.unprocessable("limit must be a number");
        }
    }

}
