package dev.signedmail.web;

import dev.signedmail.subscriber.Subscriptions;
import dev.signedmail.subscriber.UnsubscribeTokens;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a subscriber reaches from a message: one-click unsubscribe (RFC 8058), the unsubscribe page
 * and the preferences page. The token in the URL is the only credential; a token that does not
 * verify gets 403 and changes nothing.
 *
 * <p>RFC 8058 §3.2: the mail provider POSTs {@code List-Unsubscribe=One-Click} to the
 * List-Unsubscribe URL; the answer must not be a redirect. GET never changes state, because link
 * scanners and previews fetch every URL in a message.
 */
final class SubscriberPages {
    private final UnsubscribeTokens tokens;
    private final Subscriptions subscriptions;
    private final Pages pages;
    private final String organisation;

    SubscriberPages(UnsubscribeTokens tokens, Subscriptions subscriptions, Pages pages, String organisation) {
        this.tokens = tokens;
        this.subscriptions = subscriptions;
        this.pages = pages;
        this.organisation = organisation;
    }

    void register(RoutesConfig routes) {
        routes.get("/unsubscribe/{token}", this::unsubscribePage);
        routes.post("/unsubscribe/{token}", this::unsubscribe);
        routes.get("/preferences/{token}", this::preferencesPage);
        routes.post("/preferences/{token}", this::savePreferences);
    }

    private Optional<UnsubscribeTokens.Claim> claim(Context ctx) {
        Optional<UnsubscribeTokens.Claim> c = tokens.verify(ctx.pathParam("token"));
        if (c.isEmpty()) {
            ctx.status(403).html(pages.render("invalid-link", Map.of("organisation", organisation)));
        }
        return c;
    }

    private void unsubscribePage(Context ctx) {
        Optional<UnsubscribeTokens.Claim> c = claim(ctx);
        if (c.isEmpty()) {
            return;
        }
        Optional<Subscriptions.View> v = subscriptions.view(c.get().subscriberId());
        if (v.isEmpty()) {
            ctx.status(404).html(pages.render("gone", Map.of("organisation", organisation)));
            return;
        }
        ctx.html(pages.render("unsubscribe", Map.of("organisation", organisation, "email", v.get().email(),
                "active", "active".equals(v.get().status()), "token", ctx.pathParam("token"))));
    }

    private void unsubscribe(Context ctx) {
        Optional<UnsubscribeTokens.Claim> c = claim(ctx);
        if (c.isEmpty()) {
            return;
        }
        boolean oneClick = "One-Click".equals(ctx.formParam("List-Unsubscribe"));
        // One click means "stop this list": everything we send, not just the message's topic.
        boolean known = subscriptions.unsubscribeAll(c.get().subscriberId(), oneClick ? "one-click" : "web");
        if (!known) {
            ctx.status(404).html(pages.render("gone", Map.of("organisation", organisation)));
            return;
        }
        ctx.status(200).html(pages.render("unsubscribed", Map.of("organisation", organisation,
                "token", ctx.pathParam("token"))));
    }

    private void preferencesPage(Context ctx) {
        Optional<UnsubscribeTokens.Claim> c = claim(ctx);
        if (c.isEmpty()) {
            return;
        }
        Optional<Subscriptions.View> v = subscriptions.view(c.get().subscriberId());
        if (v.isEmpty()) {
            ctx.status(404).html(pages.render("gone", Map.of("organisation", organisation)));
            return;
        }
        ctx.html(pages.render("preferences", Map.of("organisation", organisation, "view", v.get(),
                "token", ctx.pathParam("token"), "saved", false)));
    }

    private void savePreferences(Context ctx) {
        Optional<UnsubscribeTokens.Claim> c = claim(ctx);
        if (c.isEmpty()) {
            return;
        }
        long id = c.get().subscriberId();
        boolean ok = ctx.formParam("unsubscribe-all") != null
                ? subscriptions.unsubscribeAll(id, "web")
                : subscriptions.setTopics(id, new HashSet<>(List.copyOf(ctx.formParams("topic"))), "web");
        Optional<Subscriptions.View> v = subscriptions.view(id);
        if (!ok || v.isEmpty()) {
            ctx.status(404).html(pages.render("gone", Map.of("organisation", organisation)));
            return;
        }
        ctx.html(pages.render("preferences", Map.of("organisation", organisation, "view", v.get(),
                "token", ctx.pathParam("token"), "saved", true)));
    }
}
