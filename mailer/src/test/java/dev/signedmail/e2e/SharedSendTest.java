package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import dev.signedmail.testing.Flow;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several senders share one release: they claim different rows (leases, SKIP LOCKED), and when one
 * dies its rows are taken over. The database is an H2 server on loopback, so real separate JVMs
 * share it as they would share PostgreSQL across machines.
 */
class SharedSendTest {

    private static final int SUBSCRIBERS = 400;
    private static final int CONNECTIONS = 2;

    @TempDir
    Path dir;

    private Map<String, Integer> deliveries(GreenMail smtp) throws Exception {
        Map<String, Integer> per = new HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            for (Address a : m.getAllRecipients()) {
                per.merge(((InternetAddress) a).getAddress(), 1, Integer::sum);
            }
        }
        return per;
    }

    private long prepare(Settings settings, Path tokens, Flow[] flowOut) throws Exception {
        MailerRuntime.init(settings);
        try (MailerRuntime rt = MailerRuntime.open(settings)) {
            StringBuilder csv = new StringBuilder("email\n");
            for (int i = 0; i < SUBSCRIBERS; i++) {
                csv.append("reader").append(i).append("@example.com\n");
            }
            Path file = Files.writeString(dir.resolve("subs.csv"), csv);
            dev.signedmail.subscriber.CsvImport.run(rt.db(), file, false);
            Flow flow = Flow.operators(rt, tokens);
            flowOut[0] = flow;
            return flow.approved(rt, "Shared", "Body.", "general");
        }
    }

    @Test
    void twoConcurrentSendsOfTheSameReleaseDeliverExactlyOnce() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Settings settings = TestSupport.settings(dir.resolve("data"), smtp.getSmtp().getPort());
            Flow[] flow = new Flow[1];
            long id = prepare(settings, dir.resolve("tokens"), flow);
            List<Future<SendSummary>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(pool.submit(() -> {
                    try (MailerRuntime rt = MailerRuntime.open(settings)) {
                        return rt.sender(flow[0].approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
                    }
                }));
            }
            int sent = 0;
            for (Future<SendSummary> f : runs) {
                sent += f.get(180, TimeUnit.SECONDS).sent();
            }
            assertEquals(SUBSCRIBERS, sent, "the two runs together sent each message once");
            Map<String, Integer> per = deliveries(smtp);
            assertEquals(SUBSCRIBERS, per.size());
            assertTrue(per.values().stream().allMatch(n -> n == 1), "exactly once");
        } finally {
            pool.shutdownNow();
            smtp.stop();
        }
    }

    @Test
    void aSenderAndTwoWorkerProcessesShareOneReleaseAndTakeOverFromTheSenderKilledMidway() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        Server db = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.resolve("db").toString(), "-ifNotExists").start();
        List<Process> senders = new ArrayList<>();
        try {
            Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), smtp.getSmtp().getPort());
            cfg.put("db.url", "jdbc:h2:tcp://127.0.0.1:" + db.getPort() + "/mailer");
            cfg.put("smtp.connections", Integer.toString(CONNECTIONS));
            cfg.put("send.lease.seconds", "10");
            cfg.put("send.patience.seconds", "30");
            Settings settings = Settings.of(cfg);
            Flow[] flow = new Flow[1];
            long id = prepare(settings, dir.resolve("tokens"), flow);
            StringBuilder props = new StringBuilder();
            cfg.forEach((k, v) -> props.append(k).append(" = ").append(v).append('\n'));
            Path config = Files.writeString(dir.resolve("mailer.properties"), props);

            senders.add(start(config, flow[0].approverToken, "release", "send", Long.toString(id)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (smtp.getReceivedMessages().length < 5 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            // two `worker` processes join the release that is now sending
            senders.add(start(config, flow[0].approverToken, "worker"));
            senders.add(start(config, flow[0].approverToken, "worker"));
            while (smtp.getReceivedMessages().length < 30 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            senders.get(0).destroyForcibly(); // kill -9 one sender mid-way
            for (Process p : senders.subList(1, 3)) {
                assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the other senders finish");
            }
            Map<String, Integer> per = deliveries(smtp);
            int duplicates = per.values().stream().mapToInt(n -> n - 1).sum();
            assertEquals(SUBSCRIBERS, per.size(), "the killed sender's rows were taken over: nothing lost");
            assertTrue(duplicates <= CONNECTIONS, "at most the killed sender's messages in flight twice: " + duplicates);
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                assertEquals("sent", rt.releases().get(id).status());
            }
        } finally {
            senders.forEach(Process::destroyForcibly);
            db.stop();
            smtp.stop();
        }
    }

    private static Process start(Path config, Path token, String... command) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> args = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.signedmail.cli.Main", "--config", config.toString(), "--token-file", token.toString()));
        args.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(args);
        pb.environment().keySet().removeIf(k -> k.startsWith("MAILER_"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }
}
