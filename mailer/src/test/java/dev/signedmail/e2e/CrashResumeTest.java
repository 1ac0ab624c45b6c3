package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the sending process mid-batch (a real separate JVM), then a rerun: every subscriber
 * gets the release, and only a message in flight at the moment of the kill may arrive twice.
 */
class CrashResumeTest {

    private static final int SUBSCRIBERS = 600;
    private static final int CONNECTIONS = 2;

    @TempDir
    Path dir;
    dev.signedmail.testing.Flow flow;

    @Test
    void killMinus9MidBatchThenRerunDeliversEveryoneOnceExceptInFlight() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), smtp.getSmtp().getPort());
            cfg.put("smtp.connections", Integer.toString(CONNECTIONS));
            Settings settings = Settings.of(cfg);
            MailerRuntime.init(settings);
            long id;
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                StringBuilder csv = new StringBuilder("email,name\n");
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    csv.append("reader").append(i).append("@example.com,Reader ").append(i).append('\n');
                }
                Path file = dir.resolve("subs.csv");
                Files.writeString(file, csv);
                dev.signedmail.subscriber.CsvImport.run(rt.db(), file, false);
                flow = dev.signedmail.testing.Flow.operators(rt, dir.resolve("tokens"));
                id = flow.approved(rt, "Crash test", "Body.", "general");
            }
            Path config = dir.resolve("mailer.properties");
            StringBuilder props = new StringBuilder();
            cfg.forEach((k, v) -> props.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(config, props);

            Process first = start(config, id, flow.approverToken);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (smtp.getReceivedMessages().length < 40 && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            first.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            int atKill = smtp.getReceivedMessages().length;
            assertTrue(atKill >= 40 && atKill < SUBSCRIBERS,
                    "the kill must land mid-batch; delivered at kill: " + atKill);

            Process second = start(config, id, flow.approverToken);
            assertTrue(second.waitFor(180, TimeUnit.SECONDS), "the rerun finishes");
            String out = new String(second.getInputStream().readAllBytes());
            assertEquals(0, second.exitValue(), out);
            assertTrue(out.contains("is complete"), out);

            Map<String, Integer> perRecipient = new HashMap<>();
            for (MimeMessage m : smtp.getReceivedMessages()) {
                for (Address a : m.getAllRecipients()) {
                    perRecipient.merge(((InternetAddress) a).getAddress(), 1, Integer::sum);
                }
            }
            assertEquals(SUBSCRIBERS, perRecipient.size(), "every subscriber got the release");
            int duplicates = perRecipient.values().stream().mapToInt(n -> n - 1).sum();
            assertTrue(duplicates <= CONNECTIONS,
                    "at most the messages in flight at the kill arrive twice; duplicates: " + duplicates);
        } finally {
            smtp.stop();
        }
    }

    private static Process start(Path config, long releaseId, Path token) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.signedmail.cli.Main", "--config", config.toString(), "--token-file", token.toString(),
                "release", "send", Long.toString(releaseId)));
        pb.environment().keySet().removeIf(k -> k.startsWith("MAILER_"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }
}
