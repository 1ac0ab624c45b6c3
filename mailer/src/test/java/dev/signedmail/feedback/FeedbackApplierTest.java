package dev.signedmail.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What feedback does to subscribers, with real bounce mails from the shared corpus. */
class FeedbackApplierTest {

    @TempDir
    Path dir;
    MailerRuntime rt;
    FeedbackApplier applier;
    BounceParser parser = new BounceParser();

    @BeforeEach
    void open() {
        Settings s = TestSupport.settings(dir.resolve("data"), 25);
        MailerRuntime.init(s);
        rt = MailerRuntime.open(s);
        applier = rt.feedback();
    }

    @AfterEach
    void close() {
        rt.close();
    }

    private static byte[] corpus(String file) throws Exception {
        return Files.readAllBytes(TestSupport.projectRoot().resolve("../shared/corpora/sisimai-bounces/emails").resolve(file));
    }

    private String status(String email) {
        return rt.subscribers().find(email).orElseThrow().status();
    }

    @Test
    void aHardBounceSuppressesAtOnceAndOnlyOnce() throws Exception {
        rt.subscribers().add("kijitora@example.org", null, List.of("general"));
        rt.subscribers().add("someone-else@example.org", null, List.of("general"));
        byte[] mail = corpus("lhost-postfix-05.eml");
        assertTrue(applier.applyOnce(parser.parse(mail), "k1", "mailbox"));
        assertEquals("suppressed", status("kijitora@example.org"));
        assertEquals("active", status("someone-else@example.org"));
        assertFalse(applier.applyOnce(parser.parse(mail), "k1", "mailbox"), "the same message is applied once");
        int events = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM feedback_events").mapTo(Integer.class).one());
        assertEquals(1, events);
    }

    @Test
    void aComplaintUnsubscribes() throws Exception {
        rt.subscribers().add("complaint@simulator.amazonses.com", null, List.of("general"));
        assertTrue(applier.applyOnce(parser.parse(corpus("lhost-amazonses-11.eml")), "k2", "mailbox"));
        assertEquals("unsubscribed", status("complaint@simulator.amazonses.com"));
    }

    @Test
    void aSoftBounceScoresButDoesNotSuppress() throws Exception {
        rt.subscribers().add("kijitora@example.jp", null, List.of("general"));
        ParsedMail mail = parser.parse(corpus("lhost-postfix-10.eml"));
        assertEquals(Kind.SOFT, mail.findings().get(0).kind());
        applier.applyOnce(mail, "k3", "mailbox");
        assertEquals("active", status("kijitora@example.jp"));
        double score = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT bounce_score FROM subscribers WHERE email = 'kijitora@example.jp'")
                .mapTo(Double.class).one());
        assertEquals(0.5, score, 1e-9);
    }

    @Test
    void aRefusalCausedOnOurSideAlertsAndDoesNotPenalise() throws Exception {
        rt.subscribers().add("reader@example.net", null, List.of("general"));
        long id = rt.subscribers().find("reader@example.net").orElseThrow().id();
        long release = dev.signedmail.testing.Flow.operators(rt, dir.resolve("t")).approved(rt, "T", "b", "general");
        rt.outbox().snapshot(release);
        long row = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT id FROM outbox WHERE subscriber_id = :s")
                .bind("s", id).mapTo(Long.class).one());
        applier.applySmtpRefusal(row, "reader@example.net",
                "550 5.7.26 This message does not pass authentication checks (SPF and DKIM both do not pass)");
        assertEquals("active", status("reader@example.net"));
        String effect = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT effect FROM feedback_events").mapTo(String.class).one());
        assertEquals("alert", effect);
        applier.applySmtpRefusal(row, "reader@example.net", "550 5.1.1 <reader@example.net>: Recipient address rejected: User unknown");
        assertEquals("suppressed", status("reader@example.net"), "a permanent address error at send time suppresses");
    }

    @Test
    void softBouncesDecay() {
        SuppressionPolicy p = new SuppressionPolicy(3, Duration.ofDays(7));
        Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
        double s = p.afterSoftBounce(0, null, t0);
        assertEquals(0.5, s);
        assertEquals(0.5, p.afterSoftBounce(s, t0, t0.plus(Duration.ofHours(5))), "at most once a day");
        s = p.afterSoftBounce(s, t0, t0.plus(Duration.ofDays(2)));
        assertEquals(1.0, s);
        assertEquals(0.5, p.afterSoftBounce(2.5, t0, t0.plus(Duration.ofDays(30))), "a stale score starts again");
        assertTrue(p.suppresses(3.0));
        assertFalse(p.suppresses(2.5));
    }

    @Test
    void theVerpTokenNamesTheSubscriberEvenWhenTheBounceNamesNobody() throws Exception {
        rt.subscribers().add("quiet@example.com", null, List.of("general"));
        long release = dev.signedmail.testing.Flow.operators(rt, dir.resolve("t")).approved(rt, "T", "b", "general");
        rt.outbox().snapshot(release);
        long row = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT id FROM outbox").mapTo(Long.class).one());
        String token = rt.verp().tokenOf(rt.verp().envelopeFrom(row));
        Finding anonymous = new Finding("", "5.1.1", "550", Kind.HARD, Reason.USERUNKNOWN, "", "user unknown");
        applier.applyOnce(new ParsedMail(List.of(anonymous), Optional.of(token), "dsn"), "k9", "mailbox");
        assertEquals("suppressed", status("quiet@example.com"));
        // a forged token changes nothing
        rt.subscribers().add("victim@example.com", null, List.of("general"));
        applier.applyOnce(new ParsedMail(List.of(anonymous), Optional.of("a".repeat(32)), "dsn"), "k10", "mailbox");
        assertEquals("active", status("victim@example.com"));
    }
}
