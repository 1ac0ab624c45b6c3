package dev.signedmail.web;

import dev.signedmail.subscriber.Confirmations;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The generic preferences page, {@code /preferences} without a token: where a message that cannot
 * carry personal links (shared-body mode) sends its reader. It explains the mail program's
 * Unsubscribe button (one click, the List-Unsubscribe header) and lets anyone ask for their
 * personal link by e-mail.
 *
 * <p>The answer to the form is the same page and status for every valid address, subscribed or
 * not, so the page tells nobody who is subscribed; only the owner's inbox learns it. The request is
 * only queued here (this side holds no signing keys) and is sent, signed, by {@code subscribers
 * send-confirmations}. Like {@code /subscribe}, the form has no CSRF token: there is no session or
 * cookie for a forged cross-site post to ride on, so it can do nothing a direct post cannot; what
 * bounds abuse is the per-IP limit here and the per-address quiet period in {@link Confirmations}.
 */
final class ManageLinkPages {
    private final Confirmations confirmations;
    private final Pages pages;
    private final String organisation;
    private final RateLimiter limiter;

    ManageLinkPages(Confirmations confirmations, Pages pages, String organisation, RateLimiter limiter) {
        this.confirmations = confirmations;
        this.pages = pages;
        this.organisation = organisation;
        this.limiter = limiter;
    }

    void register(RoutesConfig routes) {
        routes.get("/preferences", ctx -> page(ctx, false, null, ""));
        routes.post("/preferences", this::request);
    }

    private void page(Context ctx, boolean requested, String error, String email) {
        ctx.html(pages.render("manage-link", Map.of("organisation", organisation, "requested", requested,
                "error", error == null ? "" : error, "email", email,
                "quietMinutes", Confirmations.MANAGE_QUIET.toMinutes())));
    }

    private void request(Context ctx) {
        java.util.Optional<String> address = AddressForm.read(ctx, limiter, "preferences", pages, organisation,
                (error, typed) -> page(ctx, false, error, typed));
        if (address.isEmpty()) {
            return;
        }
        String email = address.get();
        confirmations.requestManageLink(email, "web");
        page(ctx, true, null, email);
    }
}
