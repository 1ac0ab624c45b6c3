package dev.signedmail.web;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web side for the press-office tests: a fresh database with two subscribers, the operators
 * ed (editor), ap (approver) and ad (admin) with web passwords, a loopback relay, and the server.
 */
final class OfficeFixture implements AutoCloseable {
    static final String ED_PASSWORD = "editor passphrase 1";
    static final String AP_PASSWORD = "approver passphrase 2";
    static final String AD_PASSWORD = "admin passphrase 3";

    final ScriptedSmtpServer relay;
    final MailerRuntime rt;
    final Flow flow;
    final WebServer server;
    final String edToken;
    final String apToken;
    final String adToken;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    OfficeFixture(Path dir) throws Exception {
        relay = new ScriptedSmtpServer(a -> null);
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), relay.port());
        cfg.put("web.port", "0");
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        rt = MailerRuntime.open(s);
        rt.subscribers().add("zoe@example.com", "Zoë", List.of("general"));
        rt.subscribers().add("ben@example.com", "Ben", List.of("general"));
        flow = Flow.operators(rt, dir.resolve("tokens"));
        rt.operators().setPassword(flow.editor.operator(), ED_PASSWORD.toCharArray());
        rt.operators().setPassword(flow.approver.operator(), AP_PASSWORD.toCharArray());
        rt.operators().setPassword(flow.admin.operator(), AD_PASSWORD.toCharArray());
        edToken = java.nio.file.Files.readString(flow.editorToken);
        apToken = java.nio.file.Files.readString(flow.approverToken);
        adToken = java.nio.file.Files.readString(flow.adminToken);
        server = WebServer.start(rt);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String cookie, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code name=value} of the session cookie a response set. */
    static String cookie(HttpResponse<?> r) {
        String set = r.headers().firstValue("Set-Cookie").orElseThrow(() -> new AssertionError("no Set-Cookie"));
        return set.substring(0, set.indexOf(';'));
    }

    static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF token in the page: " + html);
        }
        return m.group(1);
    }

    /** Signs in through the login form; returns the session cookie and the CSRF token of the signed-in session. */
    String[] signIn(String name, String password) throws Exception {
        HttpResponse<String> form = get("/office/login", null);
        String anon = cookie(form);
        HttpResponse<String> in = post("/office/login", anon, "_csrf=" + csrf(form.body()) + "&name=" + name
                + "&password=" + java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8));
        if (in.statusCode() != 303) {
            throw new AssertionError("sign-in failed: " + in.statusCode() + " " + in.body());
        }
        String session = cookie(in);
        HttpResponse<String> page = get("/office/releases", session);
        return new String[] {session, csrf(page.body())};
    }

    int releaseCount() {
        return rt.db().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM releases").mapTo(Integer.class).one());
    }

    @Override
    public void close() throws Exception {
        server.close();
        rt.close();
        relay.close();
    }
}
