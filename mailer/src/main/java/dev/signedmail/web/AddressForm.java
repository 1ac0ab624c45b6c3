package dev.signedmail.web;

import dev.signedmail.subscriber.EmailAddresses;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The first steps of a public form that takes an e-mail address (subscribe, "e-mail me my link"):
 * a per-IP limit of its own, then the address normalised. The error says only that the text is not
 * an address, which anyone can see without us.
 */
final class AddressForm {
    private AddressForm() {
    }

    /**
     * The normalised address, or empty when the request was answered here (429, or 400 through
     * {@code showForm(error, typed)}).
     */
    static Optional<String> read(Context ctx, RateLimiter limiter, String form, Pages pages, String organisation,
                                 BiConsumer<String, String> showForm) {
        if (!limiter.allow(form + ":" + ctx.ip())) {
            ctx.status(429).html(pages.render("message", Map.of("organisation", organisation,
                    "title", "Too many requests", "text", "Please wait a few minutes and try again.")));
            return Optional.empty();
        }
        String raw = ctx.formParam("email") == null ? "" : ctx.formParam("email");
        try {
            return Optional.of(EmailAddresses.normalise(raw));
        } catch (EmailAddresses.Invalid e) {
            ctx.status(400);
            showForm.accept("Please check the address: " + e.getMessage() + ".", raw);
            return Optional.empty();
        }
    }
}
