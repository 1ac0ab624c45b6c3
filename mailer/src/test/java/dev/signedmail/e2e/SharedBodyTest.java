package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.approval.ContentHash;
import dev.signedmail.config.Settings;
import dev.signedmail.release.Release;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.subscriber.UnsubscribeTokens;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import dev.signedmail.testing.Verifiers;
import dev.signedmail.verify.KeyRecords;
import dev.signedmail.verify.MessageVerifier;
import dev.signedmail.verify.SmimeVerifier;
import dev.signedmail.verify.VerificationReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared-body mode: the S/MIME-signed body is made once and is byte-identical in every message;
 * only the headers differ (To, Message-ID, the subscriber's own one-click List-Unsubscribe), and
 * each message verifies like a personalised one — by OpenSSL, Python dkim and our own verifier.
 */
class SharedBodyTest {
    private static final int SUBSCRIBERS = 12;
    private static final Pattern UNSUBSCRIBE = Pattern.compile("List-Unsubscribe: <https://[^/]+/unsubscribe/([A-Za-z0-9_-]+)>");

    @TempDir
    Path dir;

    @Test
    void oneSignedBodyForEveryoneAndEachMessageVerifiesLikeAPersonalisedOne() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), relay.port());
            Settings settings = Settings.of(cfg);
            MailerRuntime.init(settings);
            Map<String, Long> ids = new HashMap<>();
            UnsubscribeTokens tokens;
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    String email = "reader" + i + "@example.com";
                    rt.subscribers().add(email, "Reader Number" + i, List.of("general"));
                    ids.put(email, rt.db().jdbi().withHandle(h -> h.createQuery("SELECT id FROM subscribers WHERE email = :e")
                            .bind("e", email).mapTo(Long.class).one()));
                }
                tokens = rt.tokens();
                Flow flow = Flow.operators(rt, dir.resolve("tokens"));
                long id = flow.approvedSharedBody(rt, "Urgent: ignore the earlier message", "It was not from us.", "general");
                assertTrue(rt.releases().get(id).sharedBody());
                assertEquals(SUBSCRIBERS, rt.sender(flow.approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER).sent());
            }
            List<ScriptedSmtpServer.Received> got = relay.received();
            assertEquals(SUBSCRIBERS, got.size());

            MessageVerifier verifier = new MessageVerifier(SmimeVerifier.readCertificates(TestSupport.keys().resolve("ca.pem")),
                    KeyRecords.of(Map.of("demo._domainkey.example.org",
                            Files.readString(TestSupport.keys().resolve("dkim.txt")).strip())), Instant.now());
            String dkimRecord = Files.readString(TestSupport.keys().resolve("dkim.txt"));
            byte[] firstBody = null;
            Set<String> messageIds = new HashSet<>();
            List<String> bodyHashes = new ArrayList<>();
            for (ScriptedSmtpServer.Received r : got) {
                byte[] msg = r.data();
                String text = new String(msg, StandardCharsets.US_ASCII);
                String to = r.recipients().get(0);
                byte[] body = java.util.Arrays.copyOfRange(msg, text.indexOf("\r\n\r\n") + 4, msg.length);
                if (firstBody == null) {
                    firstBody = body;
                }
                assertArrayEquals(firstBody, body, "the signed body is the same bytes for " + to);
                String bodyText = new String(body, StandardCharsets.US_ASCII);
                assertFalse(bodyText.contains("Reader Number") || bodyText.contains("reader"), "nothing personal in the body");
                assertTrue(bodyText.contains("https://news.example.org/preferences"), "the generic preferences page");
                assertFalse(bodyText.contains("/unsubscribe/"), "no personal link in the body");

                Matcher m = UNSUBSCRIBE.matcher(text);
                assertTrue(m.find(), "a one-click link per subscriber");
                assertEquals(ids.get(to), tokens.verify(m.group(1)).orElseThrow().subscriberId(), "the link is " + to + "'s own");
                assertTrue(text.contains("\r\nTo: " + "Reader Number" + to.replaceAll("\\D", "") + " <" + to + ">\r\n")
                        || text.contains("<" + to + ">"), "To is the recipient");
                Matcher mid = Pattern.compile("\r\nMessage-ID: (<[^>]+>)").matcher(text);
                assertTrue(mid.find());
                messageIds.add(mid.group(1));
                Matcher bh = Pattern.compile("bh=([^;]+);").matcher(text);
                assertTrue(bh.find());
                bodyHashes.add(bh.group(1));

                VerificationReport report = verifier.verify(msg);
                assertEquals("AUTHENTIC", report.verdict().name(), report.toText());
                if (messageIds.size() <= 3) { // the outside tools on a few (each call starts a process)
                    assertTrue(Verifiers.pythonDkimVerify(msg, dkimRecord), "python dkim for " + to);
                    assertEquals(0, Verifiers.opensslVerify(Files.write(dir.resolve("m.eml"), msg),
                            TestSupport.keys().resolve("ca.pem")).exitCode(), "openssl for " + to);
                }
            }
            assertEquals(SUBSCRIBERS, messageIds.size(), "a Message-ID per recipient");
            assertEquals(1, new HashSet<>(bodyHashes).size(), "one DKIM body hash for all");

            // the outer To is not inside the signature, so changing the outer Subject is still caught
            String tampered = new String(got.get(0).data(), StandardCharsets.ISO_8859_1)
                    .replaceFirst("\r\nSubject: [^\r]*", "\r\nSubject: Everything is fine");
            VerificationReport bad = verifier.verify(tampered.getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("NOT_AUTHENTIC", bad.verdict().name(), bad.toText());
        }
    }

    /** Regression guard: approvals given before shared-body mode existed must stay valid. */
    @Test
    void theModeIsPartOfWhatIsApprovedButLeavesOldHashesAsTheyWere() {
        Release personal = new Release(1, "T", "S", "B", null, "general", Instant.EPOCH, "approved");
        Release shared = new Release(1, "T", "S", "B", null, "general", Instant.EPOCH, "approved", true);
        assertNotEquals(ContentHash.of(personal, null, "v1"), ContentHash.of(shared, null, "v1"));
        // the hash of a personalised release is what it was before the mode existed (fixed value)
        assertEquals(dev.signedmail.operator.Secrets.sha256Hex("1:T|1:S|1:B|-|7:general|-|2:v1".getBytes(StandardCharsets.UTF_8)),
                ContentHash.of(personal, null, "v1"));
    }
}
