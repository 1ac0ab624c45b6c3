package dev.signedmail.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import dev.signedmail.testing.Verifiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Halt, the burst breaker and the sending hours: refused or held before any release message leaves. */
class GuardrailsTest {
    @TempDir
    Path dir;
    ScriptedSmtpServer relay;
    MailerRuntime rt;
    Flow flow;

    private void start(Map<String, String> extra, int subscribers, long rcptDelayMs) throws Exception {
        relay = new ScriptedSmtpServer(a -> {
            if (rcptDelayMs > 0) {
                try {
                    Thread.sleep(rcptDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        });
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), relay.port());
        cfg.putAll(extra);
        Settings settings = Settings.of(cfg);
        MailerRuntime.init(settings);
        rt = MailerRuntime.open(settings);
        Flow.readers(rt, subscribers);
        flow = Flow.operators(rt, dir.resolve("tokens"));
    }

    @AfterEach
    void stop() throws Exception {
        if (rt != null) {
            rt.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private SendSummary send(long id) {
        return rt.sender(flow.approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
    }

    /** Starts a send in the background and returns once {@code n} messages arrived (or 30 s passed). */
    private CompletableFuture<SendSummary> sendUntilDelivered(long id, int n) throws InterruptedException {
        CompletableFuture<SendSummary> running = CompletableFuture.supplyAsync(() -> send(id));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (relay.received().size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return running;
    }

    @Test
    void aHaltedSystemRefusesToSendBeforeAnyConnectionUntilAnAdminResumes() throws Exception {
        start(Map.of(), 3, 0);
        long id = flow.approved(rt, "T", "B.", "general");
        rt.haltSwitch().halt(flow.editor, "suspicious login");
        Problem p = assertThrows(Problem.class, () -> send(id));
        assertTrue(p.getMessage().contains("halted") && p.getMessage().contains("suspicious login"), p.getMessage());
        assertEquals(0, relay.connections());
        assertThrows(Problem.class, () -> rt.haltSwitch().resume(flow.approver), "only an admin resumes");
        rt.haltSwitch().resume(flow.admin);
        assertEquals(3, send(id).sent());
    }

    @Test
    void haltStopsARunningSendWithinSecondsAndTheOutboxStaysResumable() throws Exception {
        start(Map.of(), 200, 25);
        long id = flow.approved(rt, "T", "B.", "general");
        CompletableFuture<SendSummary> running = sendUntilDelivered(id, 10);
        rt.haltSwitch().halt(flow.approver, "wrong audience");
        long haltedAt = System.nanoTime();
        SendSummary first = running.get(30, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - haltedAt) / 1e9;
        assertTrue(seconds < 3, "stopped " + seconds + " s after the halt");
        assertNotNull(first.stoppedBecause());
        assertTrue(first.stoppedBecause().contains("halted"), first.stoppedBecause());
        assertTrue(first.left() > 0, "the rest stays in the outbox: " + first);
        int atHalt = relay.received().size();
        assertTrue(atHalt < 200, "delivered at halt: " + atHalt);

        rt.haltSwitch().resume(flow.admin);
        SendSummary rest = send(id);
        assertEquals(200, first.sent() + rest.sent());
        for (int i = 0; i < 200; i++) {
            assertEquals(1, relay.rcptAttempts("reader" + i + "@example.org"), "reader" + i);
        }
    }

    /**
     * Regression: the sender polled the halt flag once a second, so a halt from the same process
     * let up to a second's worth of messages through (and a fast relay finished the send first).
     */
    @Test
    void haltFromThisProcessStopsAtTheNextMessageNotAtTheNextPoll() throws Exception {
        start(Map.of(), 300, 20);
        long id = flow.approved(rt, "T", "B.", "general");
        CompletableFuture<SendSummary> running = sendUntilDelivered(id, 10);
        rt.haltSwitch().halt(flow.approver, "wrong audience");
        int atHalt = relay.received().size();
        SendSummary first = running.get(30, TimeUnit.SECONDS);
        int connections = 2; // TestSupport's smtp.connections: one message each may be mid-transaction
        assertTrue(relay.received().size() - atHalt <= connections,
                "after the halt: " + (relay.received().size() - atHalt) + " more messages");
        assertTrue(first.stoppedBecause().contains("halted"), first.stoppedBecause());
    }

    @Test
    void aBurstOverTheLimitIsHeldUntilAnAdminConfirms() throws Exception {
        start(Map.of("send.burst.limit", "2"), 2, 0);
        assertEquals(2, send(flow.approved(rt, "One", "B.", "general")).sent());
        assertEquals(2, send(flow.approved(rt, "Two", "B.", "general")).sent());
        int before = relay.connections();
        long third = flow.approved(rt, "Three", "B.", "general");
        Problem p = assertThrows(Problem.class, () -> send(third));
        assertTrue(p.getMessage().contains("held") && p.getMessage().contains("send.burst.limit"), p.getMessage());
        assertEquals(before, relay.connections(), "a held release opens no connection");
        assertEquals("held", rt.workflow().state(third).status());
        assertThrows(Problem.class, () -> send(third), "still held on a second try");
        assertThrows(Problem.class, () -> rt.workflow().confirm(flow.approver, third), "only an admin confirms");
        rt.workflow().confirm(flow.admin, third);
        assertEquals(2, send(third).sent());
    }

    @Test
    void aHeldReleaseAlertsTheOperatorsWithASignedMessage() throws Exception {
        start(Map.of("send.burst.limit", "1", "alerts.to", "duty-officer@example.org"), 2, 0);
        send(flow.approved(rt, "One", "B.", "general"));
        long second = flow.approved(rt, "Two", "B.", "general");
        Problem p = assertThrows(Problem.class, () -> send(second));
        assertTrue(p.getMessage().contains("alert e-mailed to duty-officer@example.org"), p.getMessage());
        ScriptedSmtpServer.Received alert = relay.received().get(relay.received().size() - 1);
        assertEquals(List.of("duty-officer@example.org"), alert.recipients());
        assertEquals(2, relay.received().size() - 1, "only the first release and the alert were delivered");
        String text = new String(alert.data(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("held"), text);
        Verifiers.smimeSigner(Verifiers.smime(alert.data()), Verifiers.certificate(TestSupport.keys().resolve("ca.pem")));
        assertTrue(Verifiers.pythonDkimVerify(alert.data(), Files.readString(TestSupport.keys().resolve("dkim.txt"))));
    }

    @Test
    void aSendOutsideTheSendingHoursIsHeld() throws Exception {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        DateTimeFormatter hm = DateTimeFormatter.ofPattern("HH:mm");
        String window = now.plusHours(2).format(hm) + "-" + now.plusHours(3).format(hm);
        start(Map.of("send.hours", window, "send.zone", "UTC"), 2, 0);
        long id = flow.approved(rt, "Night", "B.", "general");
        Problem p = assertThrows(Problem.class, () -> send(id));
        assertTrue(p.getMessage().contains("outside the sending hours " + window), p.getMessage());
        assertEquals(0, relay.connections());
        rt.workflow().confirm(flow.admin, id);
        assertEquals(2, send(id).sent());
    }
}
