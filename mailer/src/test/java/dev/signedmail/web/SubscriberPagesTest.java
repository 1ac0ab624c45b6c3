package dev.signedmail.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subscriber's side of the HTTP server, through a real HTTP client. */
class SubscriberPagesTest {

    @TempDir
    Path dir;
    MailerRuntime rt;
    WebServer server;
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    long zoe;
    long ben;

    @BeforeEach
    void start() {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), 25);
        cfg.put("web.port", "0");
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        rt = MailerRuntime.open(s);
        rt.subscribers().add("zoe@example.com", "Zoë", List.of("general", "road-closures"));
        rt.subscribers().add("ben@example.com", "Ben", List.of("general"));
        zoe = rt.subscribers().find("zoe@example.com").orElseThrow().id();
        ben = rt.subscribers().find("ben@example.com").orElseThrow().id();
        server = WebServer.start(rt);
    }

    @AfterEach
    void stop() {
        server.close();
        rt.close();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String status(long id) {
        return rt.db().jdbi().withHandle(h -> h.createQuery("SELECT status FROM subscribers WHERE id = :id")
                .bind("id", id).mapTo(String.class).one());
    }

    private int events(long id) {
        return rt.db().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM subscription_events WHERE subscriber_id = :id")
                .bind("id", id).mapTo(Integer.class).one());
    }

    @Test
    void getShowsAButtonAndNeverChangesState() throws Exception {
        String token = rt.tokens().issue(zoe, "general");
        HttpResponse<String> page = get("/unsubscribe/" + token);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("id=\"unsubscribe\"") && page.body().contains("zoe@example.com"), page.body());
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(""));
        get("/unsubscribe/" + token);
        get("/preferences/" + token);
        assertEquals("active", status(zoe));
        assertEquals(0, events(zoe));
    }

    @Test
    void oneClickPostUnsubscribesWith200NoRedirectAndIsIdempotent() throws Exception {
        String token = rt.tokens().issue(zoe, "general");
        HttpResponse<String> first = post("/unsubscribe/" + token, "List-Unsubscribe=One-Click");
        assertEquals(200, first.statusCode());
        assertTrue(first.headers().firstValue("Location").isEmpty(), "RFC 8058: no redirect");
        assertEquals("unsubscribed", status(zoe));
        assertEquals("active", status(ben), "nobody else is touched");
        HttpResponse<String> second = post("/unsubscribe/" + token, "List-Unsubscribe=One-Click");
        assertEquals(200, second.statusCode());
        assertEquals(1, events(zoe), "a repeated POST records nothing new");
        String via = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT via FROM subscription_events WHERE subscriber_id = :id")
                .bind("id", zoe).mapTo(String.class).one());
        assertEquals("one-click", via);
    }

    @Test
    void forgedAndMutatedTokensGet403AndChangeNothing() throws Exception {
        String token = rt.tokens().issue(zoe, "general");
        Random random = new Random(42);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < 150; i++) {
            char[] c = token.toCharArray();
            int at = random.nextInt(c.length);
            char replacement;
            do {
                replacement = alphabet.charAt(random.nextInt(alphabet.length()));
            } while (replacement == c[at]);
            c[at] = replacement;
            HttpResponse<String> r = post("/unsubscribe/" + new String(c), "List-Unsubscribe=One-Click");
            assertEquals(403, r.statusCode(), "mutation " + i);
        }
        assertEquals(403, post("/unsubscribe/not-a-token", "List-Unsubscribe=One-Click").statusCode());
        assertEquals(403, get("/preferences/x").statusCode());
        assertEquals("active", status(zoe));
        assertEquals(0, events(zoe));
    }

    @Test
    void preferencesChangeTopicsAndUnsubscribeFromAll() throws Exception {
        String token = rt.tokens().issue(zoe, "general");
        HttpResponse<String> page = get("/preferences/" + token);
        assertTrue(page.body().contains("road-closures"), page.body());
        HttpResponse<String> saved = post("/preferences/" + token, "topic=road-closures");
        assertEquals(200, saved.statusCode());
        assertTrue(saved.body().contains("Saved."));
        assertEquals(List.of("road-closures"), rt.subscribers().find("zoe@example.com").orElseThrow().topics());
        post("/preferences/" + token, "unsubscribe-all=1");
        assertEquals("unsubscribed", status(zoe));
        post("/preferences/" + token, "topic=general");
        assertEquals("active", status(zoe), "choosing a topic again re-subscribes");
        assertFalse(rt.subscribers().find("zoe@example.com").orElseThrow().topics().contains("road-closures"));
    }
}
