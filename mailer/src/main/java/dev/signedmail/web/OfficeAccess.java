package dev.signedmail.web;

import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Operator;
import dev.signedmail.operator.OperatorStore;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Who is behind a press-office request: the session cookie (HttpOnly, SameSite=Strict, Secure when
 * the site is https, path /office), the operator it belongs to — read again on every request, so
 * disabling an operator ends their sessions at once — and the CSRF check of every form.
 */
final class OfficeAccess {
    static final String COOKIE = "sm_office";

    /** Sends a browser that is not signed in to the login page (GET) or refuses the form (POST). */
    static final class NotSignedIn extends RuntimeException {
        NotSignedIn() {
            super(null, null, false, false);
        }
    }

    /** A signed-in request: its session, the operator and the actor the audit log records (web, client address). */
    record Signed(OfficeSessions.Session session, Operator operator, Actor actor) {
    }

    private final OfficeSessions sessions;
    private final OperatorStore operators;
    private final boolean secure;

    OfficeAccess(OfficeSessions sessions, OperatorStore operators, boolean secure) {
        this.sessions = sessions;
        this.operators = operators;
        this.secure = secure;
    }

    OfficeSessions sessions() {
        return sessions;
    }

    Optional<OfficeSessions.Session> session(Context ctx) {
        return sessions.find(ctx.cookie(COOKIE));
    }

    /** The signed-in operator; {@link NotSignedIn} when there is none (or it was disabled since). */
    Signed signedIn(Context ctx) {
        OfficeSessions.Session s = session(ctx).filter(OfficeSessions.Session::loggedIn).orElseThrow(NotSignedIn::new);
        Optional<Operator> op = operators.byId(s.operatorId).filter(o -> !o.disabled());
        if (op.isEmpty()) {
            sessions.end(ctx.cookie(COOKIE));
            throw new NotSignedIn();
        }
        return new Signed(s, op.get(), Actor.of(op.get(), "web", ctx.ip()));
    }

    /** A form post: signed in, and the form's {@code _csrf} is this session's token (constant time), else 403. */
    Signed form(Context ctx) {
        Signed s;
        try {
            s = signedIn(ctx);
        } catch (NotSignedIn e) {
            throw HttpError.forbidden("you are not signed in (or the session expired); nothing was changed");
        }
        requireCsrf(ctx, s.session());
        return s;
    }

    static void requireCsrf(Context ctx, OfficeSessions.Session session) {
        if (!session.csrfMatches(ctx.formParam("_csrf"))) {
            throw HttpError.forbidden("this form did not come from a page of this site or has expired"
                    + " (CSRF token missing or wrong); nothing was changed — reload the page and try again");
        }
    }

    void setCookie(Context ctx, String id) {
        ctx.header("Set-Cookie", COOKIE + "=" + id + "; Path=/office; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
    }

    void clearCookie(Context ctx) {
        ctx.header("Set-Cookie", COOKIE + "=; Path=/office; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
    }
}
