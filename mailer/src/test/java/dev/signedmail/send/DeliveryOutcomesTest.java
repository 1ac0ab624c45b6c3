package dev.signedmail.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each relay answer does to the outbox, and that a rerun sends only what was not acknowledged. */
class DeliveryOutcomesTest {

    @TempDir
    Path dir;

    private static final List<String> AUDIENCE = List.of(
            "first@example.org", "reject@example.org", "later@example.org", "last@example.org");

    private Flow flow;

    private long prepare(Settings s) throws Exception {
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            for (String a : AUDIENCE) {
                rt.subscribers().add(a, null, List.of("general"));
            }
            flow = Flow.operators(rt, dir.resolve("tokens"));
            return flow.approved(rt, "Test release", "Body **text**.", "general");
        }
    }

    private SendSummary send(Settings s, long id) {
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            return rt.sender(flow.approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
        }
    }

    @Test
    void a5xxFailsOneRecipientA4xxIsRetriedAndTheBatchGoesOn() throws Exception {
        long id;
        Settings s;
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> switch (a) {
            case "reject@example.org" -> "550 5.1.1 <reject@example.org>: user unknown";
            case "later@example.org" -> "451 4.3.0 try again later";
            default -> null;
        })) {
            s = TestSupport.settings(dir.resolve("data"), relay.port());
            id = prepare(s);
            SendSummary first = send(s, id);
            assertEquals(2, first.sent());
            assertEquals(1, first.failed());
            assertEquals(1, first.retryLater());
            assertEquals(1, first.left());
            assertEquals(2, relay.received().size());
            for (ScriptedSmtpServer.Received r : relay.received()) {
                assertTrue(r.mailFrom().matches("bounces\\+[a-z2-7]{32}@example\\.org"), "VERP envelope: " + r.mailFrom());
            }
            assertTrue(!relay.received().get(0).mailFrom().equals(relay.received().get(1).mailFrom()),
                    "each recipient has its own envelope sender");
            try (MailerRuntime rt = MailerRuntime.open(s)) {
                String reply = rt.db().jdbi().withHandle(h -> h.createQuery(
                        "SELECT last_reply FROM outbox WHERE email = 'reject@example.org'").mapTo(String.class).one());
                assertNotNull(reply);
                assertTrue(reply.contains("550") && reply.contains("user unknown"), reply);
                assertEquals("sending", rt.releases().get(id).status());
            }
        }
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Settings again = TestSupport.settings(dir.resolve("data"), relay.port());
            SendSummary second = send(again, id);
            assertEquals(1, second.sent(), "only the 4xx recipient is delivered on the rerun");
            assertEquals(3, second.skipped());
            assertEquals(1, relay.rcptAttempts("later@example.org"));
            assertEquals(0, relay.rcptAttempts("reject@example.org"), "a 5xx is final");
            assertEquals(0, relay.rcptAttempts("first@example.org"), "nothing acknowledged is sent twice");
            try (MailerRuntime rt = MailerRuntime.open(again)) {
                assertEquals("sent", rt.releases().get(id).status());
                assertEquals(Map.of("failed", 1, "sent", 3), rt.outbox().counts(id));
            }
        }
    }

    @Test
    void aRelayOutageStopsTheRunAndTheRerunDeliversEveryoneOnce() throws Exception {
        int deadPort;
        try (ScriptedSmtpServer gone = new ScriptedSmtpServer(a -> null)) {
            deadPort = gone.port(); // closed again at once: nothing listens there now
        }
        Settings down = TestSupport.settings(dir.resolve("data"), deadPort);
        long id = prepare(down);
        SendSummary first = send(down, id);
        assertEquals(0, first.sent());
        assertEquals(AUDIENCE.size(), first.left());
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            SendSummary second = send(TestSupport.settings(dir.resolve("data"), relay.port()), id);
            assertEquals(AUDIENCE.size(), second.sent());
            for (String a : AUDIENCE) {
                assertEquals(1, relay.rcptAttempts(a), a);
            }
            assertTrue(second.releaseFinished());
        }
    }

    @Test
    void someoneWhoUnsubscribesAfterTheSnapshotIsNeverMailed() throws Exception {
        int deadPort;
        try (ScriptedSmtpServer gone = new ScriptedSmtpServer(a -> null)) {
            deadPort = gone.port();
        }
        Settings down = TestSupport.settings(dir.resolve("data"), deadPort);
        long id = prepare(down);
        send(down, id); // snapshot taken, nothing delivered
        try (MailerRuntime rt = MailerRuntime.open(down)) {
            long last = rt.subscribers().find("last@example.org").orElseThrow().id();
            new dev.signedmail.subscriber.Subscriptions(rt.db()).unsubscribeAll(last, "one-click");
        }
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Settings up = TestSupport.settings(dir.resolve("data"), relay.port());
            SendSummary second = send(up, id);
            assertEquals(AUDIENCE.size() - 1, second.sent());
            assertEquals(0, relay.rcptAttempts("last@example.org"));
            assertTrue(second.releaseFinished());
            try (MailerRuntime rt = MailerRuntime.open(up)) {
                assertEquals(Map.of("cancelled", 1, "sent", AUDIENCE.size() - 1), rt.outbox().counts(id));
            }
        }
    }
}
