package dev.signedmail.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.release.Release;
import dev.signedmail.send.MessageComposer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public verify page and the release log as served, through a real HTTP client. */
class VerifyPagesTest {
    @TempDir
    Path dir;
    MailerRuntime rt;
    WebServer server;
    byte[] logged;
    byte[] unlogged;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), 25);
        cfg.put("web.port", "0");
        cfg.put("smime.ca.file", TestSupport.keys().resolve("ca.pem").toString());
        Path dns = Files.writeString(dir.resolve("dns.json"), "{\"demo._domainkey.example.org\": \""
                + Files.readString(TestSupport.keys().resolve("dkim.txt")).strip() + "\"}");
        cfg.put("keys.check.dns", dns.toString());
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        rt = MailerRuntime.open(s);
        // the sending side: one release logged (feed signed and stored), one never logged
        dev.signedmail.testing.Flow flow = dev.signedmail.testing.Flow.operators(rt, dir.resolve("tokens"));
        Release sent = rt.releases().get(flow.approved(rt, "Road closed", "Closed.\n", "general"));
        Release draft = rt.releases().get(rt.workflow().create(flow.editor,
                dev.signedmail.release.ReleaseStore.validate("Not sent", "x", "Draft.\n", null, "general")));
        rt.logRelease(sent);
        MessageComposer.Recipient zoe = new MessageComposer.Recipient(0, "zoe@example.com", "Zoë");
        logged = rt.composer().compose(sent, zoe, Instant.now());
        unlogged = rt.composer().compose(draft, zoe, Instant.now());
        server = WebServer.start(rt);
    }

    @AfterEach
    void stop() {
        server.close();
        rt.close();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> paste(byte[] message) throws Exception {
        String form = "message=" + URLEncoder.encode(new String(message, StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1);
        return http.send(HttpRequest.newBuilder(url("/verify")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.ISO_8859_1)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(byte[] message) throws Exception {
        String boundary = "----test" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.eml\"\r\n"
                + "Content-Type: message/rfc822\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(message);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return http.send(HttpRequest.newBuilder(url("/verify")).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void howToPageExplainsTheClientsAndOffersThePrivateCa() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url("/verify")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        for (String s : List.of("Thunderbird", "Apple Mail", "Outlook", "Gmail", "href=\"ca.pem\"", "news@example.org", "releases.atom")) {
            assertTrue(r.body().contains(s), s);
        }
        HttpResponse<byte[]> ca = http.send(HttpRequest.newBuilder(url("/ca.pem")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, ca.statusCode());
        assertArrayEquals(Files.readAllBytes(TestSupport.keys().resolve("ca.pem")), ca.body());
    }

    @Test
    void pastedAndUploadedMessagesGetTheVerdictAndTheLogEntry() throws Exception {
        for (HttpResponse<String> r : List.of(paste(logged), upload(logged))) {
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("Authentic: signed by Example Press Office"), r.body());
            assertTrue(r.body().contains("in our log as release #1"), r.body());
        }
        HttpResponse<String> notLogged = upload(unlogged);
        assertTrue(notLogged.body().contains("Authentic") && notLogged.body().contains("NOT in our log"), notLogged.body());
        String s = new String(logged, StandardCharsets.ISO_8859_1);
        HttpResponse<String> changed = paste(s.replaceFirst("Subject: Road closed", "Subject: Road open").getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(changed.body().contains("NOT AUTHENTIC") && changed.body().contains("the Subject was changed after signing"), changed.body());
    }

    @Test
    void theFeedAndSignatureAreTheStoredBytes() throws Exception {
        byte[][] stored = rt.releaseLog().feed().orElseThrow();
        HttpResponse<byte[]> atom = http.send(HttpRequest.newBuilder(url("/releases.atom")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> p7s = http.send(HttpRequest.newBuilder(url("/releases.atom.p7s")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, atom.statusCode());
        assertTrue(atom.headers().firstValue("Content-Type").orElse("").startsWith("application/atom+xml"));
        assertArrayEquals(stored[0], atom.body());
        assertArrayEquals(stored[1], p7s.body());
    }

    @Test
    void malformedOrHugeInputNeverFails() throws Exception {
        Random random = new Random(7);
        byte[] noise = new byte[20_000];
        random.nextBytes(noise);
        for (byte[] m : List.of("x".getBytes(StandardCharsets.US_ASCII), noise, "Content-Type: multipart/signed; boundary=\"\r\n\r\n--".getBytes(StandardCharsets.US_ASCII))) {
            for (HttpResponse<String> r : List.of(paste(m), upload(m))) {
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("Cannot tell") || r.body().contains("NOT AUTHENTIC"), r.body());
            }
        }
        assertEquals(400, paste(new byte[0]).statusCode());
        byte[] huge = new byte[VerifyPages.MAX_MESSAGE + 10];
        java.util.Arrays.fill(huge, (byte) 'a');
        HttpResponse<String> tooBig = upload(huge);
        assertTrue(tooBig.statusCode() == 413, tooBig.statusCode() + " " + tooBig.body());
        HttpResponse<String> garbageType = http.send(HttpRequest.newBuilder(url("/verify")).header("Content-Type", "multipart/form-data; boundary=")
                .POST(HttpRequest.BodyPublishers.ofString("nonsense")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(garbageType.statusCode() < 500, garbageType.statusCode() + " " + garbageType.body());
    }
}
