package dev.signedmail.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `feedback poll` against real IMAP and POP3 mailboxes (GreenMail) holding real bounce mails. */
class MailboxPollerTest {

    @TempDir
    Path dir;
    GreenMail mail;
    GreenMailUser bounces;
    Session session = Session.getInstance(new Properties());

    @BeforeEach
    void start() {
        mail = new GreenMail(new ServerSetup[] {
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP),
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3)});
        mail.start();
        bounces = mail.setUser("bounces@example.org", "bounces", "s3cret");
    }

    @AfterEach
    void stop() {
        mail.stop();
    }

    private MailerRuntime runtime(String protocol, int port) throws Exception {
        Path password = dir.resolve("mailbox.password");
        Files.writeString(password, "s3cret\n");
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), 25);
        cfg.put("feedback.protocol", protocol);
        cfg.put("feedback.host", "127.0.0.1");
        cfg.put("feedback.port", Integer.toString(port));
        cfg.put("feedback.user", "bounces");
        cfg.put("feedback.password.file", password.toString());
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        return MailerRuntime.open(s);
    }

    private void deliver(byte[] raw) throws Exception {
        bounces.deliver(new MimeMessage(session, new ByteArrayInputStream(raw)));
    }

    private static byte[] corpus(String file) throws Exception {
        return Files.readAllBytes(TestSupport.projectRoot().resolve("../shared/corpora/sisimai-bounces/emails").resolve(file));
    }

    private byte[] humanReply() throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("reader@example.net"));
        m.setSubject("Re: Road closed");
        m.setText("Thanks, but which bridge do you mean?");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private byte[] mailtoUnsubscribe(String token) throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("zoe@example.com"));
        m.setRecipients(MimeMessage.RecipientType.TO, "unsubscribe@example.org");
        m.setSubject("unsubscribe " + token);
        m.setText("");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private int count(String folder) throws Exception {
        try (Store store = session.getStore("imap")) {
            store.connect("127.0.0.1", mail.getImap().getPort(), "bounces", "s3cret");
            Folder f = store.getFolder(folder);
            return f.exists() ? f.getMessageCount() : 0;
        }
    }

    @Test
    void imapBouncesComplaintsAndUnsubscribeRequestsAreAppliedOnceAndTheRestIsKeptAside() throws Exception {
        try (MailerRuntime rt = runtime("imap", mail.getImap().getPort())) {
            rt.subscribers().add("kijitora@example.org", null, List.of("general"));
            rt.subscribers().add("complaint@simulator.amazonses.com", null, List.of("general"));
            rt.subscribers().add("zoe@example.com", "Zoë", List.of("general"));
            long zoe = rt.subscribers().find("zoe@example.com").orElseThrow().id();
            deliver(corpus("lhost-postfix-05.eml"));
            deliver(corpus("lhost-postfix-05.eml")); // the same bounce twice: applied once
            deliver(corpus("lhost-amazonses-11.eml"));
            deliver(mailtoUnsubscribe(rt.tokens().issue(zoe, "general")));
            deliver(humanReply());

            MailboxPoller.Summary s = rt.poller().poll();
            assertEquals(5, s.read(), s.describe());
            assertEquals(2, s.applied(), s.describe());
            assertEquals(1, s.alreadyHandled(), s.describe());
            assertEquals(1, s.unsubscribes(), s.describe());
            assertEquals(1, s.keptAside(), s.describe());
            assertEquals("suppressed", rt.subscribers().find("kijitora@example.org").orElseThrow().status());
            assertEquals("unsubscribed", rt.subscribers().find("complaint@simulator.amazonses.com").orElseThrow().status());
            assertEquals("unsubscribed", rt.subscribers().find("zoe@example.com").orElseThrow().status());
            assertEquals(0, count("INBOX"));
            assertEquals(4, count("Processed"));
            assertEquals(1, count("Unparsed"), "a message that is no bounce is kept for a person, not lost");
            assertEquals(0, rt.poller().poll().read(), "a second run finds nothing left");
            assertTrue(new dev.signedmail.store.Heartbeats(rt.db()).all().containsKey("feedback-poll"), "monitoring sees the poll");
        }
    }

    @Test
    void pop3BounceSuppressesAndAnUnparsedMessageIsSavedBeforeItIsDeleted() throws Exception {
        try (MailerRuntime rt = runtime("pop3", mail.getPop3().getPort())) {
            rt.subscribers().add("kijitora@example.org", null, List.of("general"));
            deliver(corpus("lhost-postfix-05.eml"));
            deliver(humanReply());
            MailboxPoller.Summary s = rt.poller().poll();
            assertEquals(2, s.read(), s.describe());
            assertEquals(1, s.applied(), s.describe());
            assertEquals("suppressed", rt.subscribers().find("kijitora@example.org").orElseThrow().status());
            Path aside = dir.resolve("data/feedback/unparsed");
            try (Stream<Path> files = Files.list(aside)) {
                List<Path> kept = files.toList();
                assertEquals(1, kept.size());
                assertTrue(Files.readString(kept.get(0)).contains("which bridge"));
            }
            assertEquals(0, rt.poller().poll().read());
        }
    }

    @Test
    void aMailboxThatCannotBeReachedIsOneClearError() throws Exception {
        int port = mail.getImap().getPort();
        mail.stop();
        try (MailerRuntime rt = runtime("imap", port)) {
            dev.signedmail.Problem p = org.junit.jupiter.api.Assertions.assertThrows(dev.signedmail.Problem.class,
                    () -> rt.poller().poll());
            assertTrue(p.getMessage().contains("imap://127.0.0.1:" + port) && p.getMessage().contains("feedback.host"), p.getMessage());
        }
        mail.start();
    }
}
