package dev.signedmail.web;

import dev.signedmail.Problem;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Operator;
import dev.signedmail.operator.OperatorStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.HashMap;
import java.util.Map;

/**
 * Sign-in and sign-out of the press-office pages. Name and password (Argon2id, with the operator
 * lockout of {@link OperatorStore}); on top of that at most {@link #PER_IP} attempts per address and
 * {@link #PER_ACCOUNT} per name in {@link #WINDOW_MILLIS}, so a spray over many names is slowed too.
 * The login form has a CSRF token of its own (an anonymous session), and a successful login gets a
 * new session id. There is no second factor yet: OperatorStore keeps no TOTP secrets.
 */
final class OfficeLogin {
    static final int PER_IP = 20;
    static final int PER_ACCOUNT = 10;
    static final long WINDOW_MILLIS = 15 * 60_000L;

    private final OfficeAccess access;
    private final OperatorStore operators;
    private final OfficeServices services;
    private final Pages pages;
    private final String organisation;
    private final RateLimiter perIp = new RateLimiter(PER_IP, WINDOW_MILLIS);
    private final RateLimiter perAccount = new RateLimiter(PER_ACCOUNT, WINDOW_MILLIS);

    OfficeLogin(OfficeAccess access, OfficeServices services, Pages pages, String organisation) {
        this.access = access;
        this.operators = services.operators();
        this.services = services;
        this.pages = pages;
        this.organisation = organisation;
    }

    void register(RoutesConfig routes) {
        routes.get("/office/login", this::form);
        routes.post("/office/login", this::login);
        routes.post("/office/logout", this::logout);
    }

    private void form(Context ctx) {
        if (access.session(ctx).filter(OfficeSessions.Session::loggedIn).isPresent()) {
            ctx.redirect(SafeRedirect.target(ctx.queryParam("next")), HttpStatus.SEE_OTHER);
            return;
        }
        show(ctx, 200, null, ctx.queryParam("next"), "");
    }

    /** The form with a fresh anonymous session, whose only purpose is the CSRF token. */
    private void show(Context ctx, int status, String error, String next, String name) {
        access.sessions().end(ctx.cookie(OfficeAccess.COOKIE));
        OfficeSessions.Issued anon = access.sessions().anonymous();
        access.setCookie(ctx, anon.id());
        Map<String, Object> v = new HashMap<>();
        v.put("organisation", organisation);
        v.put("csrf", anon.session().csrfToken);
        v.put("next", SafeRedirect.target(next));
        v.put("error", error == null ? "" : error);
        v.put("name", name == null ? "" : name);
        ctx.status(status).html(pages.render("office/login", v));
    }

    private void login(Context ctx) {
        OfficeSessions.Session anon = access.session(ctx).orElse(null);
        if (anon == null || !anon.csrfMatches(ctx.formParam("_csrf"))) {
            show(ctx, 403, "The sign-in form expired or did not come from this site. Please try again.",
                    ctx.formParam("next"), "");
            return;
        }
        String name = ctx.formParam("name") == null ? "" : ctx.formParam("name").strip();
        String password = ctx.formParam("password") == null ? "" : ctx.formParam("password");
        if (!perIp.allow("ip:" + ctx.ip()) || !perAccount.allow("name:" + name)) {
            show(ctx, 429, "Too many sign-in attempts. Please wait 15 minutes.", ctx.formParam("next"), name);
            return;
        }
        Operator op;
        try {
            op = operators.authenticatePassword(name, password.toCharArray());
        } catch (Problem p) {
            show(ctx, 401, p.getMessage().startsWith("wrong name") ? "Wrong name or password." : p.getMessage(),
                    ctx.formParam("next"), name);
            return;
        }
        OfficeSessions.Issued signed = access.sessions().login(ctx.cookie(OfficeAccess.COOKIE), op.id());
        access.setCookie(ctx, signed.id());
        services.audit().record(Actor.of(op, "web", ctx.ip()), "login", null, null, null);
        ctx.redirect(SafeRedirect.target(ctx.formParam("next")), HttpStatus.SEE_OTHER);
    }

    private void logout(Context ctx) {
        OfficeAccess.Signed s = access.form(ctx);
        access.sessions().end(ctx.cookie(OfficeAccess.COOKIE));
        access.clearCookie(ctx);
        services.audit().record(s.actor(), "logout", null, null, null);
        ctx.redirect("/office/login", HttpStatus.SEE_OTHER);
    }
}
