package dev.signedmail.demo;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.config.Settings;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Role;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseStore;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendSummary;
import dev.signedmail.subscriber.CsvImport;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job on embedded defaults: a loopback SMTP server (GreenMail), a fresh H2 database in a
 * temporary folder, the demo keys, a shipped subscriber list and release; every delivered message
 * is written to the output folder as it arrived, so anyone can check the signatures themselves.
 */
public final class Demo {

    static final String FROM = "Example Press Office <news@example.org>";
    private static final List<String> KEY_FILES =
            List.of("ca.pem", "signer.p12", "signer.p12.password", "dkim-private.pem", "dkim.txt",
                    "dkim-ed25519-private.pem", "dkim-ed25519.txt");

    private Demo() {
    }

    /** Runs the demo; returns the files written. */
    public static List<Path> run(Path out, PrintStream log) throws IOException, MessagingException {
        Path keys = keysFolder();
        Path work = Files.createTempDirectory("signedmail-demo-");
        ServerSetup smtpSetup = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        GreenMail smtp = new GreenMail(smtpSetup);
        smtp.start();
        try {
            int port = smtp.getSmtp().getPort();
            Map<String, String> cfg = new LinkedHashMap<>();
            cfg.put("home", work.resolve("data").toString());
            cfg.put("from", FROM);
            cfg.put("organisation", "Example Press Office");
            cfg.put("base.url", "https://news.example.org");
            cfg.put("smtp.host", "127.0.0.1");
            cfg.put("smtp.port", Integer.toString(port));
            cfg.put("smtp.connections", "2");
            cfg.put("smime.keystore", keys.resolve("signer.p12").toString());
            cfg.put("smime.password.file", keys.resolve("signer.p12.password").toString());
            cfg.put("dkim.key", keys.resolve("dkim-private.pem").toString());
            cfg.put("dkim.domain", "example.org");
            cfg.put("dkim.selector", "demo");
            cfg.put("dkim.ed25519.key", keys.resolve("dkim-ed25519-private.pem").toString());
            cfg.put("dkim.ed25519.selector", "demo-ed25519");
            cfg.put("smime.ca.file", keys.resolve("ca.pem").toString());
            Settings settings = Settings.of(cfg);

            log.println("demo: " + MailerRuntime.init(settings));
            log.println("demo: embedded SMTP server on 127.0.0.1:" + port + ", keys from " + keys);
            SendSummary summary;
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                Path csv = copyResource("demo/subscribers.csv", work);
                CsvImport.Result imported = CsvImport.run(rt.db(), csv, false);
                log.println("demo: imported " + imported.added() + " subscribers from the sample list");
                String body = resourceText("demo/release.md");
                // the two-person flow: an editor writes and submits, a different operator approves
                Actor editor = Actor.of(rt.operators().add("demo-editor", Role.EDITOR).operator(), "cli", "demo");
                Actor approver = Actor.of(rt.operators().add("demo-approver", Role.APPROVER).operator(), "cli", "demo");
                long id = rt.workflow().create(editor, ReleaseStore.validate(
                        "Witness appeal: collision on Station Road, road closed",
                        "Officers ask for witnesses and dash-cam footage; Station Road is closed until further notice.",
                        body, "https://news.example.org/releases/4401", "general"));
                Release release = rt.releases().get(id);
                log.println("demo: demo-editor created release " + id + ": " + release.title());
                rt.workflow().submit(editor, id);
                try {
                    rt.workflow().approve(editor, id);
                    throw new IllegalStateException("the author's own approval was accepted");
                } catch (Problem refused) {
                    log.println("demo: demo-editor submitted it; its own approval is refused: " + refused.getMessage());
                }
                rt.workflow().approve(approver, id);
                log.println("demo: demo-approver approved content " + rt.workflow().state(id).approvedHash());
                ReleaseSender sender = rt.sender(approver);
                summary = sender.send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
                log.println(summary.describe());
            }
            smtp.waitForIncomingEmail(10_000, summary.sent());
            List<Path> written = writeMessages(smtp.getReceivedMessages(), out);
            log.println("demo: wrote " + written.size() + " delivered message(s) to " + out);
            printHowToCheck(log, written, keys);
            if (summary.sent() == 0 || written.size() != summary.sent()) {
                throw new Problem("demo: expected " + summary.sent() + " delivered messages, found " + written.size());
            }
            return written;
        } finally {
            smtp.stop();
        }
    }

    private static List<Path> writeMessages(MimeMessage[] received, Path out) throws IOException, MessagingException {
        Files.createDirectories(out);
        List<Path> files = new java.util.ArrayList<>();
        int n = 0;
        for (MimeMessage m : received) {
            n++;
            Address[] to = m.getAllRecipients();
            String who = to == null || to.length == 0 ? "unknown" : to[0].toString();
            String safe = who.replaceAll(".*<", "").replaceAll(">.*", "").replaceAll("[^A-Za-z0-9@._-]", "_");
            Path file = out.resolve(String.format("%02d-%s.eml", n, safe));
            try (OutputStream os = Files.newOutputStream(file)) {
                // an unmodified parsed message writes back the bytes it arrived with
                m.writeTo(os);
            }
            files.add(file);
        }
        return files;
    }

    private static void printHowToCheck(PrintStream log, List<Path> files, Path keys) {
        if (files.isEmpty()) {
            return;
        }
        Path one = relative(files.get(0));
        Path ca = relative(keys.resolve("ca.pem"));
        log.println();
        log.println("Check the S/MIME signature of one message with OpenSSL:");
        log.println("  openssl cms -verify -in '" + one + "' -CAfile '" + ca + "' -purpose smimesign -out /dev/null");
        log.println("Check its DKIM signature with Python's dkim (Debian: apt-get install python3-dkim), using the");
        log.println("public key that would be published at demo._domainkey.example.org:");
        log.println("  /usr/bin/python3 -c \"import dkim,sys; k=open('" + relative(keys.resolve("dkim.txt"))
                + "','rb').read().strip(); print('DKIM', 'pass' if dkim.verify(open(sys.argv[1],'rb').read(),"
                + " dnsfunc=lambda *a, **kw: k) else 'FAIL')\" '" + one + "'");
        log.println("(that checks the first, rsa-sha256, signature; the second is ed25519-sha256, selector demo-ed25519,");
        log.println("key in " + relative(keys.resolve("dkim-ed25519.txt")) + ": dkim.DKIM(msg).verify(idx=1, dnsfunc=...) with python3-nacl)");
    }

    private static Path relative(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs) : abs;
    }

    /**
     * The demo keys: {@code keys-example/} in the working directory, or beside the jar's project,
     * or else the copies inside the jar, unpacked to a temporary folder.
     */
    static Path keysFolder() throws IOException {
        Path cwd = Path.of("keys-example");
        if (hasKeys(cwd)) {
            return cwd.toAbsolutePath();
        }
        try {
            Path jar = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                if (hasKeys(p.resolve("keys-example"))) {
                    return p.resolve("keys-example");
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through to the copies in the jar
        }
        Path tmp = Files.createTempDirectory("signedmail-keys-");
        for (String f : KEY_FILES) {
            copyResource("keys-example/" + f, tmp);
        }
        return tmp;
    }

    private static boolean hasKeys(Path dir) {
        return KEY_FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    private static Path copyResource(String name, Path dir) throws IOException {
        try (InputStream in = Demo.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new Problem("the jar is missing " + name + ": rebuild with ./mvnw -q -DskipTests package");
            }
            Path target = dir.resolve(Path.of(name).getFileName().toString());
            Files.copy(in, target);
            return target;
        }
    }

    private static String resourceText(String name) throws IOException {
        try (InputStream in = Demo.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new Problem("the jar is missing " + name + ": rebuild with ./mvnw -q -DskipTests package");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
