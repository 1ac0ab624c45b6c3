package dev.signedmail.web;

import dev.signedmail.subscriber.Confirmations;
import dev.signedmail.subscriber.EmailAddresses;
import dev.signedmail.subscriber.Topics;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The public subscribe form and the confirmation link (double opt-in). The form's answer is the
 * same for every valid address, subscribed or not, so it reveals nothing; the confirmation link's
 * GET only shows a button (link scanners fetch GETs), and only its POST subscribes.
 */
final class SubscribePages {
    private final Confirmations confirmations;
    private final Pages pages;
    private final String organisation;
    private final List<String> topics;
    private final RateLimiter limiter;

    SubscribePages(Confirmations confirmations, Pages pages, String organisation, List<String> topics, RateLimiter limiter) {
        this.confirmations = confirmations;
        this.pages = pages;
        this.organisation = organisation;
        this.topics = topics;
        this.limiter = limiter;
    }

    void register(RoutesConfig routes) {
        routes.get("/subscribe", ctx -> form(ctx, null, ""));
        routes.post("/subscribe", this::subscribe);
        routes.get("/confirm/{token}", this::confirmPage);
        routes.post("/confirm/{token}", this::confirm);
        routes.get("/confirm/{token}/cancel", this::cancelPage);
        routes.post("/confirm/{token}/cancel", this::cancel);
    }

    private void form(Context ctx, String error, String email) {
        ctx.html(pages.render("subscribe", Map.of("organisation", organisation, "topics", topics,
                "error", error == null ? "" : error, "email", email)));
    }

    private void subscribe(Context ctx) {
        Optional<String> address = AddressForm.read(ctx, limiter, "subscribe", pages, organisation,
                (error, typed) -> form(ctx, error, typed));
        if (address.isEmpty()) {
            return;
        }
        String email = address.get();
        Set<String> chosen = new LinkedHashSet<>();
        for (String t : ctx.formParams("topic")) {
            String n = Topics.normalise(t);
            if (n != null && topics.contains(n)) {
                chosen.add(n);
            }
        }
        if (chosen.isEmpty()) {
            chosen.add(topics.isEmpty() ? Topics.DEFAULT : topics.get(0));
        }
        confirmations.request(email, EmailAddresses.cleanName(ctx.formParam("name")), chosen, "web");
        ctx.html(pages.render("message", Map.of("organisation", organisation, "title", "Check your inbox",
                "text", "If the address can receive e-mail, a message signed by " + organisation
                        + " is on its way to it. Open the link in it to confirm; nothing is sent to you until you do.")));
    }

    private Optional<Confirmations.Request> request(Context ctx) {
        Optional<Confirmations.Request> r = confirmations.find(ctx.pathParam("token"));
        if (r.isEmpty()) {
            ctx.status(403).html(pages.render("invalid-link", Map.of("organisation", organisation)));
        } else if (!r.get().confirmed() && r.get().expired(Instant.now())) {
            ctx.status(410).html(pages.render("message", Map.of("organisation", organisation, "title", "This link has expired",
                    "text", "Confirmation links work for 48 hours. Please subscribe again.")));
            return Optional.empty();
        }
        return r;
    }

    private void confirmPage(Context ctx) {
        request(ctx).ifPresent(r -> ctx.html(pages.render("confirm", Map.of("organisation", organisation,
                "email", r.email(), "topics", String.join(", ", r.topics()), "token", ctx.pathParam("token")))));
    }

    private void confirm(Context ctx) {
        request(ctx).ifPresent(r -> {
            confirmations.confirm(r);
            ctx.html(pages.render("message", Map.of("organisation", organisation, "title", "You are subscribed",
                    "text", "Thank you. Every message from us is digitally signed; each one has a link to change your"
                            + " preferences or unsubscribe.")));
        });
    }

    private void cancelPage(Context ctx) {
        request(ctx).ifPresent(r -> ctx.html(pages.render("cancel", Map.of("organisation", organisation,
                "email", r.email(), "token", ctx.pathParam("token")))));
    }

    private void cancel(Context ctx) {
        request(ctx).ifPresent(r -> {
            if (!r.confirmed()) {
                confirmations.cancel(r);
            }
            ctx.html(pages.render("message", Map.of("organisation", organisation, "title", "Request withdrawn",
                    "text", r.confirmed() ? "This subscription was already confirmed; use the unsubscribe link in any"
                            + " message from us to end it." : "Nothing will be sent to this address.")));
        });
    }
}
