package dev.signedmail.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.outbox.Outcome;
import dev.signedmail.testing.ScriptedSmtpServer;
import dev.signedmail.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SMTP client against a real server on loopback: pipelining, BDAT, dot-stuffing, TLS both ways, AUTH. */
class SmtpConnectionTest {

    @TempDir
    Path dir;

    private static final byte[] MESSAGE = ("Subject: dots\r\n\r\nfirst\r\n.hidden\r\n..two\r\n.\r\nlast\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private SmtpRelay relay(int port, Map<String, String> extra, SSLSocketFactory trust) {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), port);
        cfg.putAll(extra);
        return new SmtpRelay(Settings.of(cfg), "news@example.org", trust);
    }

    private SmtpRelay relay(int port, Map<String, String> extra) {
        return relay(port, extra, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    @Test
    void mailRcptAndDataGoOutTogetherWhereTheRelayOffersPipelining() throws Exception {
        for (boolean offered : new boolean[] {true, false}) {
            try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null).pipelining(offered);
                 SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of()))) {
                for (int i = 0; i < 3; i++) {
                    Outcome o = conn.send(MESSAGE, "reader" + i + "@example.org", null);
                    assertEquals(Outcome.Status.SENT, o.status(), o.reply());
                    assertTrue(o.reply().startsWith("250"), o.reply());
                }
                assertEquals(3, server.received().size());
                assertEquals(1, server.connections(), "one connection for all three");
                assertEquals(3, server.mailCommands());
                assertEquals(offered ? 3 : 0, server.pipelinedMail(),
                        "MAIL arrived with RCPT behind it only where PIPELINING was offered");
            }
        }
    }

    @Test
    void linesStartingWithADotArriveAsTheyWereSigned() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null);
             SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of()))) {
            assertEquals(Outcome.Status.SENT, conn.send(MESSAGE, "reader@example.org", "bounces@example.org").status());
            ScriptedSmtpServer.Received r = server.received().get(0);
            assertArrayEquals(MESSAGE, r.data());
            assertEquals("bounces@example.org", r.mailFrom());
        }
    }

    @Test
    void aRecipientRefusedAfterPipeliningFailsThatRecipientOnlyAndTheConnectionGoesOn() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> a.startsWith("gone") ? "550 5.1.1 user unknown" : null);
             SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of()))) {
            Outcome refused = conn.send(MESSAGE, "gone@example.org", null);
            assertEquals(Outcome.Status.FAILED, refused.status(), refused.reply());
            assertEquals("550 5.1.1 user unknown", refused.reply(), "the RCPT's reply, not DATA's 554 after it");
            assertEquals(Outcome.Status.SENT, conn.send(MESSAGE, "here@example.org", null).status());
            assertEquals(1, server.received().size());
            assertEquals(java.util.List.of("here@example.org"), server.received().get(0).recipients());
            assertEquals(1, server.connections());
        }
    }

    @Test
    void whereTheRelayOffersChunkingEachMessageGoesOutAsBdatInOneWriteAndArrivesUnchanged() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null).chunking(true);
             SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of()))) {
            for (int i = 0; i < 3; i++) {
                Outcome o = conn.send(MESSAGE, "reader" + i + "@example.org", "bounces@example.org");
                assertEquals(Outcome.Status.SENT, o.status(), o.reply());
            }
            assertEquals(3, server.bdatCommands());
            assertEquals(3, server.pipelinedMail(), "MAIL arrived with RCPT and BDAT behind it");
            for (ScriptedSmtpServer.Received r : server.received()) {
                assertArrayEquals(MESSAGE, r.data(), "not dot-stuffed: the size tells where it ends");
                assertEquals("bounces@example.org", r.mailFrom());
            }
            assertEquals(1, server.connections());
        }
    }

    @Test
    void chunkingIsNotUsedWhenSwitchedOffNorForAMessageWithABareLineFeed() throws Exception {
        byte[] bareLf = "Subject: bare\r\n\r\nline one\nline two\r\n".getBytes(StandardCharsets.US_ASCII);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null).chunking(true)) {
            try (SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of("smtp.chunking", "false")))) {
                assertEquals(Outcome.Status.SENT, conn.send(MESSAGE, "reader@example.org", null).status());
            }
            try (SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of()))) {
                assertEquals(Outcome.Status.SENT, conn.send(bareLf, "reader@example.org", null).status());
            }
            assertEquals(0, server.bdatCommands());
            assertArrayEquals(MESSAGE, server.received().get(0).data());
            assertEquals("Subject: bare\r\n\r\nline one\r\nline two\r\n",
                    new String(server.received().get(1).data(), StandardCharsets.US_ASCII), "DATA mends the bare LF");
        }
    }

    @Test
    void withBdatARefusedRecipientFailsAloneAndARefusedChunkIsRetriedOrFailedByItsCode() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> a.startsWith("gone") ? "550 5.1.1 user unknown" : null)
                .chunking(true).dataFault(n -> n == 2 ? "451 4.3.0 try later" : n == 3 ? "552 5.3.4 too big" : null)) {
            try (SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of()))) {
                Outcome refused = conn.send(MESSAGE, "gone@example.org", null);
                assertEquals(Outcome.Status.FAILED, refused.status(), refused.reply());
                assertEquals("550 5.1.1 user unknown", refused.reply(), "the RCPT's reply, not BDAT's 554 after it");
                assertEquals(Outcome.Status.SENT, conn.send(MESSAGE, "one@example.org", null).status());
                Outcome later = conn.send(MESSAGE, "two@example.org", null);
                assertEquals(Outcome.Status.RETRY, later.status(), later.reply());
                Outcome tooBig = conn.send(MESSAGE, "three@example.org", null);
                assertEquals(Outcome.Status.FAILED, tooBig.status(), tooBig.reply());
                assertEquals(Outcome.Status.SENT, conn.send(MESSAGE, "four@example.org", null).status());
            }
            assertEquals(java.util.List.of(java.util.List.of("one@example.org"), java.util.List.of("four@example.org")),
                    server.received().stream().map(ScriptedSmtpServer.Received::recipients).toList());
            assertEquals(1, server.connections(), "every refusal left the connection usable");
        }
    }

    @Test
    void aConnectionResetDuringBdatIsARetryAndTheNextMessageOpensAFreshConnection() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null).chunking(true).dataFault(n -> n == 1 ? "RESET" : null);
             SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of()))) {
            Outcome reset = conn.send(MESSAGE, "one@example.org", null);
            assertEquals(Outcome.Status.RETRY, reset.status(), reset.reply());
            assertTrue(reset.reply().startsWith("connection:"), reset.reply());
            assertEquals(Outcome.Status.SENT, conn.send(MESSAGE, "one@example.org", null).status());
            assertEquals(2, server.connections());
            assertEquals(1, server.received().size());
        }
    }

    @Test
    void startTlsOrImplicitTlsIsUsedAsConfigured() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "ip:127.0.0.1");
        for (String mode : new String[] {"starttls", "tls"}) {
            try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null).tls(cert.serverContext(), mode.equals("tls"));
                 SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of("smtp.tls", mode), cert.clientTrustingIt()))) {
                Outcome o = conn.send(MESSAGE, "reader@example.org", null);
                assertEquals(Outcome.Status.SENT, o.status(), mode + ": " + o.reply());
                assertTrue(server.received().get(0).tls(), mode + ": the message went over TLS");
                assertArrayEquals(MESSAGE, server.received().get(0).data());
            }
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedAndNothingIsSent() throws Exception {
        TestCertificates other = TestCertificates.make(dir, "dns:other.test");
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null).tls(other.serverContext(), false);
             SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of("smtp.tls", "starttls"), other.clientTrustingIt()))) {
            Outcome o = conn.send(MESSAGE, "reader@example.org", null);
            assertEquals(Outcome.Status.RETRY, o.status(), o.reply());
            assertTrue(o.reply().startsWith("connection:"), o.reply());
            assertEquals(0, server.received().size());
            assertEquals(0, server.mailCommands(), "no mail transaction was started in the clear either");
        }
    }

    @Test
    void aRelayWithoutStartTlsIsNotUsedWhenTlsIsRequired() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null);
             SmtpConnection conn = new SmtpConnection(relay(server.port(), Map.of("smtp.tls", "starttls")))) {
            Outcome o = conn.send(MESSAGE, "reader@example.org", null);
            assertEquals(Outcome.Status.RETRY, o.status());
            assertTrue(o.reply().contains("does not offer STARTTLS"), o.reply());
            assertEquals(0, server.mailCommands());
        }
    }

    @Test
    void authPlainLogsInAndAWrongPasswordIsARetryNotABounce() throws Exception {
        Path good = Files.writeString(dir.resolve("good"), "s3cret\n");
        Path bad = Files.writeString(dir.resolve("bad"), "wrong\n");
        TestCertificates cert = TestCertificates.make(dir, "ip:127.0.0.1");
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(a -> null).tls(cert.serverContext(), false).auth("press", "s3cret")) {
            try (SmtpConnection conn = new SmtpConnection(relay(server.port(),
                    Map.of("smtp.tls", "starttls", "smtp.user", "press", "smtp.password.file", good.toString()), cert.clientTrustingIt()))) {
                Outcome o = conn.send(MESSAGE, "reader@example.org", null);
                assertEquals(Outcome.Status.SENT, o.status(), o.reply());
                assertEquals("press", server.received().get(0).user());
            }
            try (SmtpConnection conn = new SmtpConnection(relay(server.port(),
                    Map.of("smtp.tls", "starttls", "smtp.user", "press", "smtp.password.file", bad.toString()), cert.clientTrustingIt()))) {
                Outcome o = conn.send(MESSAGE, "reader@example.org", null);
                assertEquals(Outcome.Status.RETRY, o.status(), o.reply());
                assertTrue(o.reply().startsWith("535"), o.reply());
                assertTrue(!o.reply().contains("wrong"), "the password is not in the reply: " + o.reply());
            }
            assertEquals(1, server.received().size());
        }
    }
}
