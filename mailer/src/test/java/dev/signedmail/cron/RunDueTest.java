package dev.signedmail.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run-due sends what is due, once, even when two runs overlap; what is long overdue waits for a human. */
class RunDueTest {
    private static final int SUBSCRIBERS = 150;

    @TempDir
    Path dir;

    @Test
    void twoOverlappingRunDueProcessesDeliverEachMessageOnce() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> {
            try {
                Thread.sleep(30); // slow enough that the two runs overlap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        })) {
            Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), relay.port());
            // two processes share the H2 file through H2's automatic server (PostgreSQL needs nothing)
            cfg.put("db.url", "jdbc:h2:file:" + dir.resolve("data/mailer") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
            Settings settings = Settings.of(cfg);
            MailerRuntime.init(settings);
            long due;
            long later;
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                Flow.readers(rt, SUBSCRIBERS);
                Flow flow = Flow.operators(rt, dir.resolve("tokens"));
                due = flow.approved(rt, "Due", "B.", "general");
                rt.workflow().schedule(flow.editor, due, Instant.now().minusSeconds(30));
                later = flow.approved(rt, "Later", "B.", "general");
                rt.workflow().schedule(flow.editor, later, Instant.now().plus(Duration.ofHours(1)));
            }
            Path config = dir.resolve("mailer.properties");
            StringBuilder props = new StringBuilder();
            cfg.forEach((k, v) -> props.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(config, props);

            Process a = start(config);
            Process b = start(config);
            assertTrue(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS));
            String outA = new String(a.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String outB = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, a.exitValue(), outA);
            assertEquals(0, b.exitValue(), outB);
            assertTrue(outA.contains("another run is working") || outB.contains("another run is working"),
                    "the runs overlapped and one stood back:\n" + outA + "\n---\n" + outB);
            for (int i = 0; i < SUBSCRIBERS; i++) {
                assertEquals(1, relay.rcptAttempts("reader" + i + "@example.org"), "reader" + i + " got it once");
            }
            assertEquals(SUBSCRIBERS, relay.received().size(), "the release scheduled for later is not sent yet");
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                assertEquals("sent", rt.releases().get(due).status());
                assertEquals("scheduled", rt.releases().get(later).status());
                assertTrue(rt.audit().list(due, 50).stream().anyMatch(e -> e.operator().equals("cron") && e.via().equals("cron")));
            }
        }
    }

    @Test
    void aReleaseLongPastItsScheduledTimeIsHeldForAHuman() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Settings settings = TestSupport.settings(dir.resolve("data"), relay.port());
            MailerRuntime.init(settings);
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                rt.subscribers().add("a@example.org", null, List.of("general"));
                Flow flow = Flow.operators(rt, dir.resolve("tokens"));
                long stale = flow.approved(rt, "Stale", "B.", "general");
                rt.workflow().schedule(flow.editor, stale, Instant.now().minus(Duration.ofHours(3)));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int code = RunDue.run(rt, new PrintStream(out, true, StandardCharsets.UTF_8));
                String printed = out.toString(StandardCharsets.UTF_8);
                assertEquals(1, code, printed);
                assertTrue(printed.contains("held") && printed.contains("schedule.max.late.minutes"), printed);
                assertEquals("held", rt.releases().get(stale).status());
                assertEquals(0, relay.connections());
                out.reset();
                assertEquals(0, RunDue.run(rt, new PrintStream(out, true, StandardCharsets.UTF_8)));
                assertTrue(out.toString(StandardCharsets.UTF_8).contains("nothing due"));
            }
        }
    }

    private static Process start(Path config) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.signedmail.cli.Main", "--config", config.toString(), "run-due"));
        pb.environment().keySet().removeIf(k -> k.startsWith("MAILER_"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }
}
