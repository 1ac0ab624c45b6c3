package dev.signedmail.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.send.ConfirmationSender;
import dev.signedmail.subscriber.Confirmations;
import dev.signedmail.subscriber.Subscriptions;
import dev.signedmail.testing.Verifiers;
import dev.signedmail.verify.DkimResult;
import dev.signedmail.verify.KeyRecords;
import dev.signedmail.verify.MessageVerifier;
import dev.signedmail.verify.VerificationReport;
import dev.signedmail.verify.Verdict;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generic preferences page ({@code /preferences}): ask for your personal link, get it in one
 * signed e-mail — through real HTTP, the real sender and a real SMTP server on loopback.
 */
class ManageLinkTest {

    @TempDir
    Path dir;
    GreenMail smtp;
    MailerRuntime rt;
    WebServer server;
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    long zoe;

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
        rt.subscribers().add("zoe@example.com", "Zoë", List.of("road-closures", "general"));
        zoe = rt.subscribers().find("zoe@example.com").orElseThrow().id();
        rt.subscribers().add("gone@example.com", null, List.of("general"));
        new Subscriptions(rt.db()).unsubscribeAll(rt.subscribers().find("gone@example.com").orElseThrow().id(), "web");
        rt.subscribers().add("bounced@example.com", null, List.of("general"));
        rt.db().jdbi().useHandle(h -> h.createUpdate("UPDATE subscribers SET status = 'suppressed' WHERE email = :e")
                .bind("e", "bounced@example.com").execute());
        server = WebServer.start(rt);
    }

    @AfterEach
    void stop() {
        server.close();
        rt.close();
        smtp.stop();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> ask(String address) throws Exception {
        return post("/preferences", "email=" + java.net.URLEncoder.encode(address, StandardCharsets.UTF_8));
    }

    private ConfirmationSender.Result runSender() {
        return rt.confirmationSender().sendQueued(100);
    }

    private int manageRows() {
        return rt.db().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM confirmations WHERE kind = 'manage'")
                .mapTo(Integer.class).one());
    }

    private static byte[] raw(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private static String recipient(MimeMessage m) throws Exception {
        return m.getAllRecipients()[0].toString();
    }

    /** The message's text with quoted-printable soft line breaks joined, so links are whole. */
    private static String text(byte[] message) {
        return new String(message, StandardCharsets.US_ASCII).replace("=\r\n", "");
    }

    private static String firstMatch(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " not in:\n" + text);
        return m.group(1);
    }

    @Test
    void pageExplainsTheUnsubscribeButtonAndOffersTheForm() throws Exception {
        HttpResponse<String> page = get("/preferences");
        assertEquals(200, page.statusCode());
        String body = page.body();
        assertTrue(body.contains("<form method=\"post\" action=\"/preferences\">"), body);
        assertTrue(body.contains("name=\"email\""), body);
        assertTrue(body.contains("id=\"send-link\""), body);
        assertTrue(body.contains("<strong>Unsubscribe</strong> button"), "explains the mail program's button: " + body);
        assertTrue(body.contains("Example Press Office"), body);
        assertFalse(body.contains("id=\"requested\""), "nothing was asked for yet");
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void subscriberGetsOneSignedMessageWhoseLinksAreTheirOwn() throws Exception {
        HttpResponse<String> answer = ask("Zoe@Example.COM");
        assertEquals(200, answer.statusCode());
        assertTrue(answer.body().contains("id=\"requested\""), answer.body());
        assertTrue(answer.body().contains("zoe@example.com"), "the page names the normalised address: " + answer.body());
        assertEquals(0, smtp.getReceivedMessages().length, "the web side only queues; it never sends");

        ConfirmationSender.Result run = runSender();
        assertEquals(1, run.sent());
        assertEquals(0, run.notSent());
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertEquals(1, mails.length);
        assertTrue(recipient(mails[0]).contains("zoe@example.com"), recipient(mails[0]));
        assertEquals(0, runSender().sent(), "sent once, not again on the next run");

        byte[] bytes = raw(mails[0]);
        // signed like a release: S/MIME to our CA, DKIM by an independent implementation, and our own verifier
        X509Certificate ca = Verifiers.certificate(TestSupport.keys().resolve("ca.pem"));
        Verifiers.smimeSigner(Verifiers.smime(bytes), ca);
        String dkimRecord = Files.readString(TestSupport.keys().resolve("dkim.txt")).strip();
        assertTrue(Verifiers.pythonDkimVerify(bytes, dkimRecord), "python dkim verifies the DKIM signature");
        VerificationReport report = new MessageVerifier(List.of(ca),
                KeyRecords.of(Map.of("demo._domainkey.example.org", dkimRecord)), Instant.now()).verify(bytes);
        assertEquals(Verdict.AUTHENTIC, report.verdict(), report.toText());
        assertTrue(report.dkim().stream().anyMatch(d -> d.result() == DkimResult.Status.PASS), report.toText());

        String text = text(bytes);
        String preferences = firstMatch("https://news\\.example\\.org(/preferences/[A-Za-z0-9_-]+)", text);
        String token = preferences.substring("/preferences/".length());
        assertEquals(zoe, rt.tokens().verify(token).orElseThrow().subscriberId());
        assertEquals(rt.tokens().issue(zoe, "general"), token,
                "the very link a release on her first topic carries (topics are sorted), not a new kind of link");
        assertTrue(mails[0].getSubject().contains("Example Press Office"), mails[0].getSubject());
        assertTrue(text.contains("general, road-closures"), "shows what she receives now: " + text);

        HttpResponse<String> page = get(preferences);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<strong>zoe@example.com</strong>"), "opens her own preferences page: " + page.body());
        assertTrue(page.body().contains("id=\"save\""), page.body());

        // the mail program's Unsubscribe button: the List-Unsubscribe header carries her one-click link
        String listUnsubscribe = mails[0].getHeader("List-Unsubscribe", ",");
        assertTrue(listUnsubscribe.contains("<https://news.example.org/unsubscribe/" + token + ">"), listUnsubscribe);
        assertEquals("List-Unsubscribe=One-Click", mails[0].getHeader("List-Unsubscribe-Post", ","));
        assertTrue(text.contains("https://news.example.org/unsubscribe/" + token), "the body shows it too: " + text);
        assertEquals(200, post("/unsubscribe/" + token, "List-Unsubscribe=One-Click").statusCode());
        assertEquals("unsubscribed", rt.subscribers().find("zoe@example.com").orElseThrow().status());
    }

    @Test
    void unknownUnsubscribedAndSuppressedAddressesGetTheSamePageAndNothing() throws Exception {
        HttpResponse<String> known = ask("zoe@example.com");
        for (String other : List.of("nobody@example.com", "gone@example.com", "bounced@example.com")) {
            HttpResponse<String> r = ask(other);
            assertEquals(known.statusCode(), r.statusCode(), other);
            assertEquals(known.body().replace("zoe@example.com", ""), r.body().replace(other, ""),
                    "the answer does not tell whether " + other + " is subscribed");
        }
        assertEquals(1, manageRows(), "only the active subscriber's request is queued");

        assertEquals(1, runSender().sent());
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertEquals(1, mails.length, "nothing for the unknown, unsubscribed or suppressed addresses");
        assertTrue(recipient(mails[0]).contains("zoe@example.com"), recipient(mails[0]));
    }

    @Test
    void askingAgainWithinTheQuietPeriodSendsNothingMore() throws Exception {
        HttpResponse<String> first = ask("zoe@example.com");
        assertEquals(1, runSender().sent());
        HttpResponse<String> again = ask("zoe@example.com");
        HttpResponse<String> andAgain = ask("ZOE@example.com");
        assertEquals(first.statusCode(), again.statusCode());
        assertEquals(first.body(), again.body(), "the same answer: the limit is silent");
        assertEquals(first.body(), andAgain.body());
        assertEquals(0, runSender().sent());
        assertEquals(1, smtp.getReceivedMessages().length, "still one message");

        // what stopped them was the period: once it is over, a new request is sent
        rt.db().jdbi().useHandle(h -> h.createUpdate("UPDATE confirmations SET requested_at = :t WHERE kind = 'manage'")
                .bind("t", Instant.now().minus(Confirmations.MANAGE_QUIET).minusSeconds(60)).execute());
        ask("zoe@example.com");
        assertEquals(1, runSender().sent());
        assertEquals(2, smtp.getReceivedMessages().length);
    }

    @Test
    void subscriberWhoLeavesBeforeTheSenderRunsGetsNothing() throws Exception {
        ask("zoe@example.com");
        assertEquals(1, manageRows());
        new Subscriptions(rt.db()).unsubscribeAll(zoe, "web");
        ConfirmationSender.Result run = runSender();
        assertEquals(0, run.sent());
        assertEquals(1, run.dropped());
        assertEquals(0, smtp.getReceivedMessages().length);
        assertEquals(0, runSender().dropped(), "the dropped request is no longer pending");
    }

    @Test
    void aPersonalLinkRequestIsNeverAConfirmLinkAndLeavesTheSubscribeFormAlone() throws Exception {
        ask("zoe@example.com");
        long row = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT id FROM confirmations WHERE kind = 'manage'")
                .mapTo(Long.class).one());
        String forged = new Confirmations(rt.db(), rt.tokenKeys()).token(row);
        assertEquals(403, get("/confirm/" + forged).statusCode());
        assertEquals(403, post("/confirm/" + forged, "").statusCode());

        // a personal-link request does not count against the subscribe form's quiet period
        post("/subscribe", "email=zoe%40example.com&topic=road-closures");
        assertEquals(1, (int) rt.db().jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM confirmations WHERE kind = 'subscribe' AND email = :e")
                .bind("e", "zoe@example.com").mapTo(Integer.class).one()));
        ConfirmationSender.Result run = runSender();
        assertEquals(2, run.sent(), "one confirmation, one personal link");
        List<String> subjects = new java.util.ArrayList<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            subjects.add(m.getSubject());
        }
        assertTrue(subjects.stream().anyMatch(s -> s.startsWith("Please confirm")), subjects.toString());
        assertTrue(subjects.stream().anyMatch(s -> s.startsWith("Your link")), subjects.toString());
    }

    @Test
    void badAddressIsRefusedAndTheFormIsLimitedPerVisitor() throws Exception {
        HttpResponse<String> bad = ask("not-an-address");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("id=\"error\""), bad.body());
        assertEquals(0, manageRows());
        for (int i = 1; i < 10; i++) {
            assertEquals(200, ask("someone" + i + "@example.com").statusCode());
        }
        assertEquals(429, ask("zoe@example.com").statusCode(), "the eleventh request in an hour from one IP");
        assertEquals(0, manageRows(), "a refused request queues nothing");
        assertEquals(200, get("/preferences").statusCode(), "the page itself stays readable");
    }
}
