package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A send interrupted again and again: halted and resumed ten times, or its process killed at
 * random points (real separate JVMs). Every subscriber gets the release; a halt loses and doubles
 * nothing, a kill doubles at most the messages in flight at that moment.
 */
class InterruptionsTest {

    private static final int CONNECTIONS = 2;

    @TempDir
    Path dir;

    private record Setup(Settings settings, Flow flow, long release) {
    }

    private Setup prepare(int port, int subscribers) throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), port);
        cfg.put("smtp.connections", Integer.toString(CONNECTIONS));
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            StringBuilder csv = new StringBuilder("email\n");
            for (int i = 0; i < subscribers; i++) {
                csv.append("reader").append(i).append("@example.com\n");
            }
            dev.signedmail.subscriber.CsvImport.run(rt.db(), Files.writeString(dir.resolve("s.csv"), csv), false);
            Flow flow = Flow.operators(rt, dir.resolve("tokens"));
            return new Setup(s, flow, flow.approved(rt, "Interrupted", "Body.", "general"));
        }
    }

    private static Map<String, Integer> deliveries(ScriptedSmtpServer relay) {
        Map<String, Integer> per = new HashMap<>();
        for (ScriptedSmtpServer.Received r : relay.received()) {
            r.recipients().forEach(a -> per.merge(a, 1, Integer::sum));
        }
        return per;
    }

    @Test
    void haltedAndResumedTenTimesEveryoneGetsItExactlyOnce() throws Exception {
        int subscribers = 600;
        int stoppedByHalt = 0;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Setup setup = prepare(relay.port(), subscribers);
            try (MailerRuntime rt = MailerRuntime.open(setup.settings())) {
                for (int round = 0; round < 10; round++) {
                    int before = relay.received().size();
                    Future<SendSummary> run = pool.submit(() ->
                            rt.sender(setup.flow().approver).send(setup.release(), SendListener.NONE, ReleaseSender.StopSignal.NEVER));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (relay.received().size() < before + 10 && !run.isDone() && System.nanoTime() < deadline) {
                        Thread.sleep(2);
                    }
                    rt.haltSwitch().halt(setup.flow().editor, "pause " + round);
                    SendSummary s = run.get(30, TimeUnit.SECONDS);
                    if (s.stoppedBecause() != null && s.stoppedBecause().contains("halted")) {
                        stoppedByHalt++;
                    }
                    rt.haltSwitch().resume(setup.flow().admin);
                }
                rt.sender(setup.flow().approver).send(setup.release(), SendListener.NONE, ReleaseSender.StopSignal.NEVER);
                assertEquals("sent", rt.releases().get(setup.release()).status());
            }
            assertTrue(stoppedByHalt >= 3, "the halts landed mid-send: " + stoppedByHalt);
            Map<String, Integer> per = deliveries(relay);
            assertEquals(subscribers, per.size());
            assertTrue(per.values().stream().allMatch(n -> n == 1), "exactly once after ten pauses");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void killedAtRandomPointsNothingIsLostAndDuplicatesStayWithinWhatWasInFlight() throws Exception {
        // scaled down from 20 kills of a 10k send to keep the suite short: the same mechanism
        int subscribers = 1_500;
        int kills = 6;
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Setup setup = prepare(relay.port(), subscribers);
            StringBuilder props = new StringBuilder();
            TestSupport.settingsMap(dir.resolve("data"), relay.port()).forEach((k, v) -> props.append(k).append(" = ").append(v).append('\n'));
            props.append("smtp.connections = ").append(CONNECTIONS).append('\n');
            // a reply slow because the machine is busy must not count as a failure (it would be
            // retried and counted as a duplicate that no kill caused)
            props.append("smtp.timeout.seconds = 60\n");
            Path config = Files.writeString(dir.resolve("mailer.properties"), props);
            Random random = new Random(20261122);
            int killed = 0;
            for (int k = 0; k < kills; k++) {
                Process p = start(config, setup.flow().approverToken, setup.release());
                int target = relay.received().size() + 20 + random.nextInt(120);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (relay.received().size() < target && p.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                if (p.isAlive()) {
                    p.destroyForcibly();
                    killed++;
                }
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
            Process last = start(config, setup.flow().approverToken, setup.release());
            assertTrue(last.waitFor(180, TimeUnit.SECONDS));
            assertEquals(0, last.exitValue());
            Map<String, Integer> per = deliveries(relay);
            int duplicates = per.values().stream().mapToInt(n -> n - 1).sum();
            assertEquals(subscribers, per.size(), "nothing lost after " + killed + " kills");
            assertTrue(killed >= 3, "the kills landed mid-send: " + killed);
            assertTrue(duplicates <= killed * CONNECTIONS,
                    "duplicates " + duplicates + " within the messages in flight at " + killed + " kills");
        }
    }

    private static Process start(Path config, Path token, long release) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> args = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.signedmail.cli.Main", "--config", config.toString(), "--token-file", token.toString(),
                "release", "send", Long.toString(release)));
        ProcessBuilder pb = new ProcessBuilder(args);
        pb.environment().keySet().removeIf(k -> k.startsWith("MAILER_"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }
}
