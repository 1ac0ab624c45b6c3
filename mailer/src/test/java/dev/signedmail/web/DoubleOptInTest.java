package dev.signedmail.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.testing.Verifiers;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Public subscribe form → signed confirmation e-mail → confirm link, through real HTTP and SMTP. */
class DoubleOptInTest {

    @TempDir
    Path dir;
    GreenMail smtp;
    MailerRuntime rt;
    WebServer server;
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), smtp.getSmtp().getPort());
        cfg.put("web.port", "0");
        cfg.put("subscribe.topics", "general,road-closures");
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        rt = MailerRuntime.open(s);
        server = WebServer.start(rt);
    }

    @AfterEach
    void stop() {
        server.close();
        rt.close();
        smtp.stop();
    }

    private HttpResponse<String> send(String method, String path, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        b = form == null ? b.GET() : b.header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(form));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int confirmations() {
        return rt.db().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM confirmations").mapTo(Integer.class).one());
    }

    @Test
    void subscribeConfirmByPostAndTheFormRevealsNothing() throws Exception {
        rt.subscribers().add("known@example.com", null, List.of("general"));
        HttpResponse<String> form = send("GET", "/subscribe", null);
        assertEquals(200, form.statusCode());
        assertTrue(form.body().contains("road-closures"));

        HttpResponse<String> fresh = send("POST", "/subscribe", "email=New%40Example.com&name=Zo%C3%AB&topic=road-closures");
        HttpResponse<String> known = send("POST", "/subscribe", "email=known%40example.com&topic=general");
        assertEquals(200, fresh.statusCode());
        assertEquals(fresh.body().replace("new@example.com", ""), known.body().replace("known@example.com", ""),
                "the answer does not tell whether an address is subscribed");
        assertTrue(rt.subscribers().find("new@example.com").isEmpty(), "nothing is subscribed before confirmation");
        send("POST", "/subscribe", "email=new%40example.com&topic=general");
        assertEquals(2, confirmations(), "asking again at once sends no second e-mail");
        assertEquals(400, send("POST", "/subscribe", "email=not-an-address").statusCode());

        assertEquals(2, rt.confirmationSender().sendQueued(10).sent());
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertEquals(2, mails.length);
        MimeMessage toNew = List.of(mails).stream()
                .filter(m -> { try { return m.getAllRecipients()[0].toString().contains("new@example.com"); } catch (Exception e) { return false; } })
                .findFirst().orElseThrow();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        toNew.writeTo(raw);
        byte[] bytes = raw.toByteArray();
        Verifiers.smimeSigner(Verifiers.smime(bytes), Verifiers.certificate(TestSupport.keys().resolve("ca.pem")));
        assertTrue(Verifiers.pythonDkimVerify(bytes, Files.readString(TestSupport.keys().resolve("dkim.txt"))),
                "the confirmation e-mail is signed like a release");
        String text = new String(bytes, StandardCharsets.US_ASCII).replace("=\r\n", "");
        Matcher m = Pattern.compile("https://news\\.example\\.org(/confirm/[A-Za-z0-9_-]+)").matcher(text);
        assertTrue(m.find(), text);
        String path = m.group(1);

        HttpResponse<String> page = send("GET", path, null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("id=\"confirm\""));
        assertTrue(rt.subscribers().find("new@example.com").isEmpty(), "GET never subscribes");
        assertEquals(200, send("POST", path, "").statusCode());
        var subscriber = rt.subscribers().find("new@example.com").orElseThrow();
        assertEquals("active", subscriber.status());
        assertEquals(List.of("road-closures"), subscriber.topics());
        assertEquals("Zoë", subscriber.name());

        assertEquals(403, send("POST", path.substring(0, path.length() - 2) + "xx", "").statusCode());
        rt.db().jdbi().useHandle(h -> h.execute("UPDATE confirmations SET expires_at = TIMESTAMP WITH TIME ZONE '2020-01-01 00:00:00+00'"
                + " WHERE email = 'known@example.com'"));
        String knownToken = new dev.signedmail.subscriber.Confirmations(rt.db(), rt.tokenKeys()).token(
                rt.db().jdbi().withHandle(h -> h.createQuery("SELECT id FROM confirmations WHERE email = 'known@example.com'")
                        .mapTo(Long.class).one()));
        assertEquals(410, send("POST", "/confirm/" + knownToken, "").statusCode(), "an expired link does nothing");
    }
}
