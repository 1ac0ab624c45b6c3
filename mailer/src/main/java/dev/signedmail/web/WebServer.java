package dev.signedmail.web;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.config.Setting;
import dev.signedmail.subscriber.Subscriptions;
import dev.signedmail.subscriber.Confirmations;
import dev.signedmail.subscriber.Topics;
import io.javalin.Javalin;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side ({@code serve}): subscriber pages, the press-office pages ({@code /office}) and
 * JSON API ({@code /api}), and the public verify page. It never loads signing keys: whoever
 * breaks into the web side finds none.
 */
public final class WebServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

    private final Javalin app;

    private WebServer(Javalin app) {
        this.app = app;
    }

    public static WebServer start(MailerRuntime rt) {
        String host = rt.settings().required(Setting.WEB_HOST);
        int port = rt.settings().integer(Setting.WEB_PORT, 0, 65535);
        Pages pages = new Pages();
        SubscriberPages subscriberPages = new SubscriberPages(rt.tokens(), new Subscriptions(rt.db()), pages,
                rt.settings().required(Setting.ORGANISATION));
        List<String> topics = Arrays.stream(rt.settings().required(Setting.SUBSCRIBE_TOPICS).split(","))
                .map(String::strip).map(Topics::normalise).filter(java.util.Objects::nonNull).toList();
        SubscribePages subscribePages = new SubscribePages(new Confirmations(rt.db(), rt.tokenKeys()), pages,
                rt.settings().required(Setting.ORGANISATION), topics, new RateLimiter(10, 3_600_000L));
        // its own per-IP budget: asking for one's link must not use up the subscribe form's, or the other way round
        ManageLinkPages manageLinkPages = new ManageLinkPages(new Confirmations(rt.db(), rt.tokenKeys()), pages,
                rt.settings().required(Setting.ORGANISATION), new RateLimiter(10, 3_600_000L));
        OfficeServices office = OfficeServices.from(rt);
        OfficeAccess officeAccess = new OfficeAccess(new OfficeSessions(), office.operators(), office.https());
        String organisation = rt.settings().required(Setting.ORGANISATION);
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = 1_000_000L;
            cfg.routes.before(ctx -> {
                // the token in the path is a credential: keep it out of Referer headers and caches
                ctx.header("Referrer-Policy", "no-referrer");
                ctx.header("Cache-Control", "no-store");
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("X-Frame-Options", "DENY");
                ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                // log the failure, show nothing internal to the visitor
                LOG.error("{} {} failed", ctx.method(), ctx.path().replaceAll("/[A-Za-z0-9_-]{20,}", "/…"), e);
                ctx.status(500).result("Something went wrong on our side; nothing was changed. Please try again later.");
            });
            cfg.routes.get("/health", ctx -> ctx.result("ok"));
            new MetricsRoutes(rt.db()).register(cfg.routes);
            subscriberPages.register(cfg.routes);
            subscribePages.register(cfg.routes);
            manageLinkPages.register(cfg.routes);
            VerifyPages.create(rt, pages).register(cfg.routes);
            new ApiRoutes(office).register(cfg.routes);
            new OfficeLogin(officeAccess, office, pages, organisation).register(cfg.routes);
            new OfficePages(office, officeAccess, pages, organisation).register(cfg.routes);
        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            throw new Problem("cannot listen on " + host + ":" + port + " (web.host / web.port): " + e.getMessage(), e);
        }
        return new WebServer(app);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
