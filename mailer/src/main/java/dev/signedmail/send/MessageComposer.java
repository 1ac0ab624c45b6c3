package dev.signedmail.send;

import dev.signedmail.Problem;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.release.Release;
import dev.signedmail.render.Personalisation;
import dev.signedmail.render.RenderedRelease;
import dev.signedmail.render.Renderer;
import dev.signedmail.sign.OutgoingMessage;
import dev.signedmail.sign.SignedMessageFactory;
import dev.signedmail.subscriber.Confirmations;
import dev.signedmail.subscriber.UnsubscribeTokens;
import jakarta.mail.internet.InternetAddress;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.HexFormat;

/**
 * Turns (release, recipient) into the finished, signed bytes: per-subscriber links, render,
 * then {@link SignedMessageFactory} (S/MIME, then DKIM). Built once per run; thread-safe.
 */
public final class MessageComposer {

    private final Renderer renderer;
    private final SignedMessageFactory factory;
    private final UnsubscribeTokens tokens;
    private final InternetAddress from;
    private final String baseUrl;
    private final String listId;
    private final String unsubscribeMailto;
    private final String messageIdDomain;
    private static final Duration SHARED_BODY_REUSE = Duration.ofHours(1);
    private final Map<Release, SignedMessageFactory.SharedBody> sharedBodies = new ConcurrentHashMap<>();

    public MessageComposer(Settings settings, Renderer renderer, SignedMessageFactory factory, UnsubscribeTokens tokens) {
        this.renderer = renderer;
        this.factory = factory;
        this.tokens = tokens;
        this.from = settings.from();
        this.baseUrl = settings.baseUrl();
        String domain = settings.fromDomain();
        String configuredListId = settings.string(Setting.LIST_ID);
        // List-Id without angle brackets (the factory adds them), e.g. news.example.org
        this.listId = configuredListId == null || configuredListId.isBlank() ? "news." + domain
                : configuredListId.replaceAll("^<|>$", "");
        String mailto = settings.string(Setting.UNSUBSCRIBE_MAILTO);
        this.unsubscribeMailto = mailto == null || mailto.isBlank() ? "unsubscribe@" + domain : mailto;
        this.messageIdDomain = domain;
    }

    /** The per-recipient data a message needs, independent of where it came from (outbox or preview). */
    public record Recipient(long subscriberId, String email, String name) {
    }

    public byte[] compose(Release release, Recipient to, Instant date) {
        if (release.sharedBody()) {
            return composeShared(release, to);
        }
        String token = tokens.issue(to.subscriberId(), release.topic());
        String unsubscribe = baseUrl + "/unsubscribe/" + token;
        String preferences = baseUrl + "/preferences/" + token;
        RenderedRelease r = renderer.render(release,
                new Personalisation(to.email(), to.name(), release.topic(), unsubscribe, preferences));
        InternetAddress toAddress;
        try {
            toAddress = new InternetAddress(to.email(), to.name(), StandardCharsets.UTF_8.name());
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
        OutgoingMessage m = new OutgoingMessage(from, toAddress, r.subject(), date,
                messageId(release.id(), token), listId, unsubscribe,
                "mailto:" + unsubscribeMailto + "?subject=unsubscribe%20" + token, r.text(), r.html());
        return factory.build(m);
    }

    /**
     * Shared-body mode: the body was rendered and signed once for the release ({@link #sharedBody});
     * only the headers are this recipient's — To, Message-ID and the one-click List-Unsubscribe.
     * The Date is the body's, because it is protected inside the signature.
     */
    private byte[] composeShared(Release release, Recipient to) {
        SignedMessageFactory.SharedBody body = sharedBody(release);
        String token = tokens.issue(to.subscriberId(), release.topic());
        OutgoingMessage m = new OutgoingMessage(from, address(to.email(), to.name()), body.subject(),
                body.date(), messageId(release.id(), token), listId, baseUrl + "/unsubscribe/" + token,
                "mailto:" + unsubscribeMailto + "?subject=unsubscribe%20" + token, null, null);
        return factory.build(m, body);
    }

    /**
     * The release's signed body, made on first use and reused for an hour: long enough for any
     * broadcast, short enough that a worker running for days does not send a day-old Date and
     * signing time. Keyed by content, so an edit (before approval) can never reuse an old body.
     */
    private SignedMessageFactory.SharedBody sharedBody(Release release) {
        Release key = new Release(release.id(), release.title(), release.summary(), release.bodyMarkdown(),
                release.link(), release.topic(), null, null, true);
        SignedMessageFactory.SharedBody body = sharedBodies.get(key);
        if (body != null && body.date().isAfter(Instant.now().minus(SHARED_BODY_REUSE))) {
            return body;
        }
        synchronized (sharedBodies) { // one thread signs it; the others wait for that body
            body = sharedBodies.get(key);
            Instant now = Instant.now();
            if (body == null || !body.date().isAfter(now.minus(SHARED_BODY_REUSE))) {
                RenderedRelease r = renderer.renderShared(release, baseUrl + "/preferences");
                // whole seconds: the Date header has no fraction, and the protected copy must equal it
                body = factory.sharedBody(from, r.subject(), now.truncatedTo(ChronoUnit.SECONDS), r.text(), r.html());
                sharedBodies.keySet().removeIf(k -> k.id() == key.id());
                sharedBodies.put(key, body);
            }
            return body;
        }
    }

    private static InternetAddress address(String email, String name) {
        try {
            return new InternetAddress(email, name, StandardCharsets.UTF_8.name());
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The double opt-in e-mail, signed like a release. Its List-Unsubscribe link withdraws the
     * request ("this wasn't me"), so one click in the mail program ends it.
     */
    public byte[] composeConfirmation(Confirmations.Request request, String token, Instant date) {
        String confirmUrl = baseUrl + "/confirm/" + token;
        String cancelUrl = baseUrl + "/confirm/" + token + "/cancel";
        RenderedRelease r = renderer.renderConfirmation(request.email(), request.name(), request.topics(), confirmUrl,
                request.expiresAt());
        InternetAddress toAddress;
        try {
            toAddress = new InternetAddress(request.email(), request.name(), StandardCharsets.UTF_8.name());
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
        OutgoingMessage m = new OutgoingMessage(from, toAddress, r.subject(), date,
                "confirm-" + request.id() + "." + token.substring(0, 10).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "x")
                        + "@" + messageIdDomain,
                listId, cancelUrl, null, r.text(), r.html());
        return factory.build(m);
    }

    /**
     * The e-mail the generic preferences page ({@code /preferences}) queues: the subscriber's own
     * preferences link and one-click unsubscribe, the very links a release to them carries (same
     * tokens, nothing that expires), signed like a release. A shared-body message cannot carry
     * them, so this is how its reader gets them.
     *
     * @param topics the subscriber's current topics, shown in the message; the token names the
     *     first, as a release's names its own (the pages it opens act on the whole subscription)
     * @param requestId the queued request, so a resend after a crash keeps the same Message-ID
     */
    public byte[] composeManageLink(Recipient to, java.util.List<String> topics, long requestId, Instant date) {
        String token = tokens.issue(to.subscriberId(),
                topics.isEmpty() ? dev.signedmail.subscriber.Topics.DEFAULT : topics.get(0));
        String unsubscribe = baseUrl + "/unsubscribe/" + token;
        String preferences = baseUrl + "/preferences/" + token;
        RenderedRelease r = renderer.renderManageLink(to.email(), to.name(), topics, preferences, unsubscribe);
        InternetAddress toAddress;
        String messageId;
        try {
            toAddress = new InternetAddress(to.email(), to.name(), StandardCharsets.UTF_8.name());
            // a hash, not the request number: the Message-ID must not tell how many requests there were
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(("manage\0" + requestId + "\0" + token).getBytes(StandardCharsets.US_ASCII));
            messageId = "manage-" + HexFormat.of().formatHex(h, 0, 10) + "@" + messageIdDomain;
        } catch (UnsupportedEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        OutgoingMessage m = new OutgoingMessage(from, toAddress, r.subject(), date, messageId, listId, unsubscribe,
                "mailto:" + unsubscribeMailto + "?subject=unsubscribe%20" + token, r.text(), r.html());
        return factory.build(m);
    }

    /**
     * Renders and signs one message for a made-up recipient, so that a template error, a bad key or
     * a certificate problem stops a send before the outbox is filled or a connection is opened.
     */
    public void preflight(Release release) {
        try {
            compose(release, new Recipient(0, "preflight@" + messageIdDomain, "Preflight Check"), Instant.now());
        } catch (Problem p) {
            throw p;
        } catch (RuntimeException e) {
            throw new Problem("release " + release.id() + " cannot be rendered and signed: " + e.getMessage(), e);
        }
    }

    /**
     * Stable per (release, recipient), so a message resent after a crash carries the same
     * Message-ID and clients can fold the duplicate; reveals neither the address nor list size.
     */
    private String messageId(long releaseId, String token) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return "release-" + releaseId + "." + HexFormat.of().formatHex(h, 0, 10) + "@" + messageIdDomain;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
