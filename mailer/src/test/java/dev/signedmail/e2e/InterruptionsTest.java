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
 * random points (real separate JVMs); or sent by two processes at once. Every subscriber gets the
 * release; a halt or a second sender loses and doubles nothing, a kill doubles at most the messages
 * in flight at that moment.
 */
class InterruptionsTest {

    private static final int CONNECTIONS = 2;

    @TempDir
    Path dir;

    private record Setup(Settings settings, Flow flow, long release) {
    }

    private Setup prepare(int port, int subscribers) throws Exception {
        return prepare(config(port), subscribers, false);
    }

    private Map<String, String> config(int port) {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), port);
        cfg.put("smtp.connections", Integer.toString(CONNECTIONS));
        // a reply slow because the machine is busy must not count as a failure (it would be
        // retried and counted as a duplicate that no kill caused)
        cfg.put("smtp.timeout.seconds", "60");
        return cfg;
    }

    /** @param bulk subscribers added with two SQL statements ({@link #addSubscribers}) instead of the CSV import */
    private Setup prepare(Map<String, String> cfg, int subscribers, boolean bulk) throws Exception {
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            if (bulk) {
                addSubscribers(rt, subscribers);
            } else {
                StringBuilder csv = new StringBuilder("email\n");
                for (int i = 0; i < subscribers; i++) {
                    csv.append("reader").append(i).append("@example.com\n");
                }
                dev.signedmail.subscriber.CsvImport.run(rt.db(), Files.writeString(dir.resolve("s.csv"), csv), false);
            }
            Flow flow = Flow.operators(rt, dir.resolve("tokens"));
            return new Setup(s, flow, flow.approved(rt, "Interrupted", "Body.", "general"));
        }
    }

    /**
     * readerN@example.com for N below {@code n}, active, on the "general" topic: two statements on H2.
     * The CSV import (tested on its own) runs five statements a row, 25 s for 10,000 on a busy
     * 2-core machine; these tests are about the send.
     */
    private static void addSubscribers(MailerRuntime rt, int n) {
        rt.db().jdbi().useTransaction(h -> {
            h.execute("INSERT INTO subscribers (email, status, created_at, updated_at)"
                    + " SELECT 'reader' || X || '@example.com', 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
                    + " FROM SYSTEM_RANGE(0, ?)", n - 1);
            h.execute("INSERT INTO subscriber_topics (subscriber_id, topic) SELECT id, 'general' FROM subscribers");
        });
        assertEquals(n, rt.subscribers().count());
    }

    /** Recipients the relay has accepted a message for, that the outbox does not have as sent. */
    private static int deliveredButNotRecorded(Settings settings, long release, ScriptedSmtpServer relay) {
        java.util.Set<String> delivered = new java.util.HashSet<>(deliveries(relay).keySet());
        try (dev.signedmail.store.Database db = dev.signedmail.store.Database.open(settings)) {
            delivered.removeAll(db.jdbi().withHandle(h -> h.createQuery(
                            "SELECT email FROM outbox WHERE release_id = :r AND status = 'sent'")
                    .bind("r", release).mapTo(String.class).list()));
        }
        return delivered.size();
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
        // the figures: kill -9 at 20 random points of a 10,000-subscriber send, each sender a real JVM
        int subscribers = 10_000;
        int kills = 20;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Setup setup = prepare(config(relay.port()), subscribers, true);
            Path config = writeConfig(config(relay.port()));
            Random random = new Random(20261122);
            // Kills are spaced by messages delivered, not by time: 40-90 % of an even share apart, so the
            // twenty together take at most 90 % of the send and every one falls while there is mail left,
            // however fast or slow this machine is; the last run sends the rest.
            int share = subscribers / (kills + 1);
            int midSend = 0;
            int killedAlive = 0;
            List<Integer> unrecorded = new ArrayList<>(); // per kill: delivered, but not yet recorded as sent
            for (int k = 0; k < kills; k++) {
                Process p = start(config, setup.flow().approverToken, setup.release());
                int target = relay.received().size() + share * 4 / 10 + random.nextInt(share / 2);
                long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
                while (relay.received().size() < target && p.isAlive() && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                if (p.isAlive()) {
                    // mid-send: this run has delivered its share and is still going (not stuck, not done)
                    midSend += relay.received().size() >= target ? 1 : 0;
                    p.destroyForcibly();
                    killedAlive++;
                }
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                unrecorded.add(deliveredButNotRecorded(setup.settings(), setup.release(), relay));
            }
            Process last = start(config, setup.flow().approverToken, setup.release());
            assertTrue(last.waitFor(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime())), TimeUnit.SECONDS),
                    "the last run finishes within the test's 10 minutes");
            assertEquals(0, last.exitValue());
            Map<String, Integer> per = deliveries(relay);
            int duplicates = per.values().stream().mapToInt(n -> n - 1).sum();
            System.out.printf("%d subscribers, %d kills (%d mid-send), %d recipients got it, %d duplicates;"
                    + " delivered but not recorded after each kill: %s%n", subscribers, killedAlive, midSend, per.size(),
                    duplicates, unrecorded);
            assertEquals(subscribers, per.size(), "nothing lost after " + killedAlive + " kills");
            assertTrue(midSend >= 18, "the kills landed mid-send: " + midSend + " of " + kills);
            assertTrue(duplicates <= killedAlive * CONNECTIONS, "duplicates " + duplicates + " within the messages in flight at "
                    + killedAlive + " kills; delivered but not recorded as sent after each kill: " + unrecorded);
        }
    }

    @Test
    void twoConcurrentReleaseSendProcessesDeliverExactlyOnce() throws Exception {
        int subscribers = 1_000;
        java.util.concurrent.atomic.AtomicReference<ScriptedSmtpServer> self = new java.util.concurrent.atomic.AtomicReference<>();
        // The relay answers no RCPT until the second process has connected as well (more connections
        // than one sender opens), so the two runs overlap however the JVM starts are spread; 30 s at most.
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((self.get() == null || self.get().connections() <= CONNECTIONS) && System.nanoTime() < until) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return null;
        })) {
            self.set(relay);
            Map<String, String> cfg = config(relay.port());
            // the relay holds the first RCPTs until both have connected: a run must not give up meanwhile
            // (with 3 s of patience the first run did, while the second JVM was still starting)
            cfg.put("send.patience.seconds", "40");
            // two processes open the same H2 file through H2's automatic server (PostgreSQL needs nothing)
            cfg.put("db.url", "jdbc:h2:file:" + dir.resolve("data/mailer") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
            Setup setup = prepare(cfg, subscribers, true);
            Path config = writeConfig(cfg);
            List<Path> outputs = List.of(dir.resolve("send-a.out"), dir.resolve("send-b.out"));
            List<Process> runs = new ArrayList<>();
            for (Path out : outputs) {
                runs.add(start(config, setup.flow().approverToken, setup.release(), ProcessBuilder.Redirect.to(out.toFile())));
            }
            for (Process p : runs) {
                assertTrue(p.waitFor(180, TimeUnit.SECONDS), "both runs end");
            }
            int sentByBoth = 0;
            StringBuilder both = new StringBuilder();
            for (Path out : outputs) {
                both.append(out.getFileName()).append(":\n").append(Files.readString(out)).append('\n');
            }
            for (Path out : outputs) {
                String text = Files.readString(out);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("release \\d+: sent (\\d+)").matcher(text);
                assertTrue(m.find(), "a summary from each run: " + text);
                int sent = Integer.parseInt(m.group(1));
                assertTrue(sent > 0, "each run sent part of the release (they ran at the same time): " + text);
                sentByBoth += sent;
            }
            assertEquals(subscribers, sentByBoth, "the two runs together sent each message once:\n" + both);
            Map<String, Integer> per = deliveries(relay);
            assertEquals(subscribers, per.size());
            assertTrue(per.values().stream().allMatch(n -> n == 1), "exactly once");
            try (MailerRuntime rt = MailerRuntime.open(setup.settings())) {
                assertEquals("sent", rt.releases().get(setup.release()).status());
            }
        }
    }

    private Path writeConfig(Map<String, String> cfg) throws Exception {
        StringBuilder props = new StringBuilder();
        cfg.forEach((k, v) -> props.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
        return Files.writeString(dir.resolve("mailer.properties"), props);
    }

    private static Process start(Path config, Path token, long release) throws Exception {
        return start(config, token, release, ProcessBuilder.Redirect.DISCARD);
    }

    private static Process start(Path config, Path token, long release, ProcessBuilder.Redirect output) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Each sender lives a few seconds: C1 alone starts it sooner, and C2's compiler threads would
        // take the 2 cores from the send before their code paid off; one GC thread, for the same reason.
        List<String> args = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "dev.signedmail.cli.Main", "--config", config.toString(), "--token-file", token.toString(),
                "release", "send", Long.toString(release)));
        ProcessBuilder pb = new ProcessBuilder(args);
        pb.environment().keySet().removeIf(k -> k.startsWith("MAILER_"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(output);
        return pb.start();
    }
}
