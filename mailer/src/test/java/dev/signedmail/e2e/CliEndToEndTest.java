package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.TestSupport;
import dev.signedmail.testing.CliRun;
import dev.signedmail.testing.Verifiers;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole spine through the command line: init, import, create, preview, send to a real SMTP
 * server on loopback, and every delivered message checked by verifiers that are not ours.
 */
class CliEndToEndTest {

    @TempDir
    Path dir;
    GreenMail smtp;
    String config;
    X509Certificate ca;
    String dkimRecord;

    @BeforeEach
    void start() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        StringBuilder props = new StringBuilder();
        for (Map.Entry<String, String> e : TestSupport.settingsMap(dir.resolve("data"), smtp.getSmtp().getPort()).entrySet()) {
            props.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
        }
        Path cfg = dir.resolve("mailer.properties");
        Files.writeString(cfg, props);
        config = cfg.toString();
        ca = Verifiers.certificate(TestSupport.keys().resolve("ca.pem"));
        dkimRecord = Files.readString(TestSupport.keys().resolve("dkim.txt"));
    }

    @AfterEach
    void stop() {
        smtp.stop();
    }

    private CliRun cli(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config;
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    @Test
    void createPreviewSendAndEveryDeliveredMessageVerifiesElsewhere() throws Exception {
        assertEquals(0, cli("init").exitCode);
        Path csv = dir.resolve("subs.csv");
        Files.writeString(csv, "email,name,topics\n"
                + "zoe@example.com,Zoë Łukasiewicz,general\n"
                + "redaktion@bücher.example,Bücher Redaktion,general\n"
                + "eve@example.net,\"Eve\r\nBcc: victim@example.org\",general\n"
                + "other@example.net,Other Topic,sport\n", StandardCharsets.UTF_8);
        CliRun imported = cli("subscribers", "import", csv.toString());
        assertEquals(0, imported.exitCode, imported.toString());
        assertTrue(imported.out().contains("4 added"), imported.out());

        // operators: the first admin needs no token (there is no admin yet); then tokens are needed
        CliRun admin = cli("operators", "add", "chief", "--role", "admin");
        assertEquals(0, admin.exitCode, admin.toString());
        Path adminToken = tokenFile(admin, "chief");
        assertEquals(1, cli("operators", "add", "sneaky", "--role", "admin").exitCode, "only the first admin is free");
        Path ed = tokenFile(cli("--token-file", adminToken.toString(), "operators", "add", "ed", "--role", "editor"), "ed");
        Path ap = tokenFile(cli("--token-file", adminToken.toString(), "operators", "add", "ap", "--role", "approver"), "ap");

        Path body = dir.resolve("body.md");
        Files.writeString(body, "Officers **appeal** for witnesses.\n\n- call 101\n");
        assertEquals(1, cli("release", "create", "--title", "T", "--body", body.toString()).exitCode, "no token, no release");
        CliRun created = cli("--token-file", ed.toString(), "release", "create", "--title", "Road closed\r\nBcc: victim@example.org",
                "--body", body.toString(), "--summary", "Station Road closed", "--link", "https://example.org/n/1");
        assertEquals(0, created.exitCode, created.toString());
        String id = created.out().strip();
        assertTrue(id.matches("\\d+"), "create prints the id alone: " + created.out());

        CliRun early = cli("--token-file", ed.toString(), "release", "send", id);
        assertEquals(1, early.exitCode, early.toString());
        assertTrue(early.stderr.contains("not approved"), early.stderr);
        assertEquals(0, cli("--token-file", ed.toString(), "release", "submit", id).exitCode);
        CliRun self = cli("--token-file", ed.toString(), "release", "approve", id);
        assertEquals(1, self.exitCode, self.toString());
        CliRun approved = cli("--token-file", ap.toString(), "release", "approve", id);
        assertEquals(0, approved.exitCode, approved.toString());
        assertEquals(0, smtp.getReceivedMessages().length, "nothing left before the approved send");

        CliRun preview = cli("release", "preview", id, "--to", "zoe@example.com");
        assertEquals(0, preview.exitCode, preview.toString());
        checkSigned(preview.stdout, "zoe@example.com");
        assertEquals(0, smtp.getReceivedMessages().length, "preview sends nothing");

        CliRun send = cli("--token-file", ed.toString(), "release", "send", id);
        assertEquals(0, send.exitCode, send.toString());
        assertTrue(send.out().contains("sent 3, failed 0, retry-later 0"), send.out());
        MimeMessage[] received = smtp.getReceivedMessages();
        assertEquals(3, received.length, "the 'sport' subscriber is not in the audience");
        Set<String> unsubscribeLinks = new HashSet<>();
        for (MimeMessage m : received) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            m.writeTo(raw);
            String to = ((InternetAddress) m.getAllRecipients()[0]).getAddress();
            checkSigned(raw.toByteArray(), to);
            assertNull(m.getHeader("Bcc"), "CR/LF in a name or title never makes a header");
            assertEquals("Road closed Bcc: victim@example.org", m.getSubject());
            unsubscribeLinks.add(m.getHeader("List-Unsubscribe")[0]);
            Path file = dir.resolve(to + ".eml");
            Files.write(file, raw.toByteArray());
            Verifiers.Result openssl = Verifiers.opensslVerify(file, TestSupport.keys().resolve("ca.pem"));
            assertEquals(0, openssl.exitCode(), openssl.output());
        }
        assertEquals(3, unsubscribeLinks.size(), "unsubscribe links are per subscriber");

        CliRun again = cli("--token-file", ap.toString(), "release", "send", id);
        assertEquals(0, again.exitCode, again.toString());
        assertTrue(again.out().contains("sent 0") && again.out().contains("skipped 3"), again.out());
        assertEquals(3, smtp.getReceivedMessages().length, "a second send delivers nothing twice");

        CliRun show = cli("release", "show", id);
        assertTrue(show.out().contains("status:  sent") && show.out().contains("sent=3"), show.out());
        assertTrue(show.out().contains("author:  ed") && show.out().contains("approved: by ap"), show.out());

        CliRun verify = cli("--token-file", ap.toString(), "audit", "verify");
        assertEquals(0, verify.exitCode, verify.toString());
        CliRun audit = cli("--token-file", ap.toString(), "audit", "show", "--release", id);
        for (String action : List.of("create", "submit", "approve", "send", "sent")) {
            assertTrue(audit.out().contains(" " + action + " "), action + " is audited: " + audit.out());
        }
    }

    /** Saves the token a command printed alone on its last line. */
    private Path tokenFile(CliRun added, String name) throws Exception {
        assertEquals(0, added.exitCode, added.toString());
        String[] lines = added.out().strip().split("\n");
        String token = lines[lines.length - 1];
        assertTrue(token.matches("[A-Za-z0-9_-]{43}"), "32 random bytes, base64url: " + token);
        return Files.writeString(dir.resolve(name + ".token"), token);
    }

    private void checkSigned(byte[] message, String recipient) throws Exception {
        X509Certificate signer = Verifiers.smimeSigner(Verifiers.smime(message), ca);
        MimeMessage parsed = Verifiers.parse(message);
        String from = ((InternetAddress) parsed.getFrom()[0]).getAddress();
        assertTrue(Verifiers.namesAddress(signer, from), "signer certificate names the From address " + from);
        assertEquals(recipient, ((InternetAddress) parsed.getRecipients(jakarta.mail.Message.RecipientType.TO)[0]).getAddress());
        assertTrue(Verifiers.pythonDkimVerify(message, dkimRecord), "python dkim verifies the message to " + recipient);
        String head = new String(message, StandardCharsets.US_ASCII);
        Matcher h = Pattern.compile("\\bh=([^;]*);").matcher(head.substring(head.indexOf("DKIM-Signature:")).replaceAll("\\s+", ""));
        assertTrue(h.find());
        String signedHeaders = h.group(1).toLowerCase();
        assertTrue(signedHeaders.contains(":list-unsubscribe:") && signedHeaders.contains("list-unsubscribe-post"), signedHeaders);
        assertTrue(signedHeaders.startsWith("from:from:"), "From is oversigned: " + signedHeaders);
        assertEquals("List-Unsubscribe=One-Click", parsed.getHeader("List-Unsubscribe-Post")[0]);
        String lu = parsed.getHeader("List-Unsubscribe")[0];
        assertTrue(lu.matches("(?s)<https://news\\.example\\.org/unsubscribe/[A-Za-z0-9_-]{40,}>,\\s*<mailto:.*>"), lu);
        assertFalse(lu.contains(recipient), "the link does not reveal the address");
    }
}
