package dev.signedmail.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection signs its next message while its last answer commits, but sends it only after that
 * answer is on disk: what a crash can send twice stays one message per connection. The relay looks
 * into the outbox at every DATA, before it answers.
 */
class AnswerBeforeNextMessageTest {

    @TempDir
    Path dir;

    private static final int AUDIENCE = 30;

    @Test
    void oneConnectionFindsEveryEarlierAnswerOnDiskAtEachData() throws Exception {
        List<int[]> seen = sendWatchingTheOutbox(1);
        for (int[] s : seen) {
            assertEquals(s[0] - 1, s[1], "at DATA " + s[0] + " the outbox had " + s[1] + " sent");
        }
    }

    @Test
    void eachOfThreeConnectionsHasAtMostOneUnrecordedMessage() throws Exception {
        List<int[]> seen = sendWatchingTheOutbox(3);
        for (int[] s : seen) {
            // accepted before this DATA: s[0] - 1; this connection's are all recorded, the other two may each owe one
            assertTrue(s[1] >= s[0] - 1 - 2, "at DATA " + s[0] + " the outbox had only " + s[1] + " sent");
        }
    }

    /** Sends a release; returns, per DATA the relay received, {DATA number, rows recorded as sent then}. */
    private List<int[]> sendWatchingTheOutbox(int connections) throws Exception {
        List<int[]> seen = new CopyOnWriteArrayList<>();
        MailerRuntime[] watcher = new MailerRuntime[1];
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null).dataFault(n -> {
            int sent = watcher[0].db().jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").mapTo(Integer.class).one());
            seen.add(new int[] {n, sent});
            return null;
        })) {
            Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data" + connections), relay.port());
            cfg.put("smtp.connections", Integer.toString(connections));
            Settings s = Settings.of(cfg);
            MailerRuntime.init(s);
            long release;
            Flow flow;
            try (MailerRuntime rt = MailerRuntime.open(s)) {
                Flow.readers(rt, AUDIENCE);
                flow = Flow.operators(rt, dir.resolve("tokens" + connections));
                release = flow.approved(rt, "Answers first", "Body.", "general");
            }
            try (MailerRuntime rt = MailerRuntime.open(s); MailerRuntime w = MailerRuntime.open(s)) {
                watcher[0] = w;
                SendSummary summary = rt.sender(flow.approver).send(release, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
                assertEquals(AUDIENCE, summary.sent(), summary.describe());
            }
        }
        assertEquals(AUDIENCE, seen.size(), "the relay saw every DATA");
        return seen;
    }
}
