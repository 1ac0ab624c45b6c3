package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseFeed;
import dev.signedmail.release.ReleaseLogEntry;
import dev.signedmail.testing.CliRun;
import dev.signedmail.testing.Verifiers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signed release log: numbered, hash-chained, signed by the sending side, found by verify. */
class ReleaseLogTest {
    @TempDir
    Path dir;

    @Test
    void sentReleasesAreLoggedSignedAndFoundByVerify() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), smtp.getSmtp().getPort());
            StringBuilder props = new StringBuilder();
            cfg.forEach((k, v) -> props.append(k).append(" = ").append(v).append('\n'));
            String config = Files.writeString(dir.resolve("mailer.properties"), props).toString();
            assertEquals(0, CliRun.of("--config", config, "init").exitCode);
            assertEquals(0, CliRun.of("--config", config, "subscribers", "add", "zoe@example.com").exitCode);
            Path body = Files.writeString(dir.resolve("body.md"), "Text.\n");
            dev.signedmail.testing.Flow flow;
            try (MailerRuntime rt = MailerRuntime.open(Settings.of(cfg))) {
                flow = dev.signedmail.testing.Flow.operators(rt, dir.resolve("tokens"));
            }
            String ed = flow.editorToken.toString();
            String ap = flow.approverToken.toString();
            List<String> ids = new ArrayList<>();
            for (String title : List.of("First", "Second", "Never sent")) {
                CliRun c = CliRun.of("--config", config, "--token-file", ed, "release", "create", "--title", title,
                        "--body", body.toString(), "--summary", "s", "--link", "https://example.org/n/1");
                ids.add(c.out().strip());
            }
            for (String id : ids.subList(0, 2)) {
                assertEquals(0, CliRun.of("--config", config, "--token-file", ed, "release", "submit", id).exitCode);
                assertEquals(0, CliRun.of("--config", config, "--token-file", ap, "release", "approve", id).exitCode);
            }
            assertEquals(0, CliRun.of("--config", config, "--token-file", ap, "release", "send", ids.get(0)).exitCode);
            assertEquals(0, CliRun.of("--config", config, "--token-file", ap, "release", "send", ids.get(1)).exitCode);
            assertEquals(0, CliRun.of("--config", config, "--token-file", ap, "release", "send", ids.get(1)).exitCode,
                    "a rerun logs nothing twice");

            byte[] atom;
            byte[] p7s;
            try (MailerRuntime rt = MailerRuntime.open(Settings.of(cfg))) {
                List<ReleaseLogEntry> entries = rt.releaseLog().entries();
                assertEquals(2, entries.size());
                assertEquals(1, entries.get(0).seq());
                assertEquals(Long.parseLong(ids.get(1)), entries.get(1).releaseId());
                assertEquals(entries.get(0).entryHash(), entries.get(1).previousHash());
                assertEquals(List.of("ap"), entries.get(1).approvers(), "the log names who approved");
                Release second = rt.releases().get(Long.parseLong(ids.get(1)));
                assertEquals(ReleaseLogEntry.contentHash(second), entries.get(1).contentHash());
                byte[][] feed = rt.releaseLog().feed().orElseThrow();
                atom = feed[0];
                p7s = feed[1];
                assertEquals(entries, ReleaseFeed.parse(atom));
                assertTrue(ReleaseFeed.chainProblems(ReleaseFeed.parse(atom)).isEmpty());
            }
            Path atomFile = Files.write(dir.resolve("releases.atom"), atom);
            Files.write(dir.resolve("releases.atom.p7s"), p7s);
            // the detached signature checks in OpenSSL like any CMS signature
            Verifiers.Result openssl = Verifiers.run(List.of("openssl", "cms", "-verify", "-binary", "-inform", "DER",
                    "-in", dir.resolve("releases.atom.p7s").toString(), "-content", atomFile.toString(),
                    "-CAfile", TestSupport.keys().resolve("ca.pem").toString(), "-purpose", "smimesign", "-out", "/dev/null"));
            assertEquals(0, openssl.exitCode(), openssl.output());

            String ca = TestSupport.keys().resolve("ca.pem").toString();
            Path dns = Files.writeString(dir.resolve("dns.json"), "{\"demo._domainkey.example.org\": \""
                    + Files.readString(TestSupport.keys().resolve("dkim.txt")).strip() + "\"}");
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            smtp.getReceivedMessages()[1].writeTo(raw);
            Path delivered = Files.write(dir.resolve("second.eml"), raw.toByteArray());
            CliRun v = CliRun.of("verify", delivered.toString(), "--trust", ca, "--dns", dns.toString(), "--log", atomFile.toString());
            assertEquals(0, v.exitCode, v.toString());
            assertTrue(v.out().contains("Release log: in our log as release #2 (\"Second\""), v.out());
            assertTrue(!v.out().contains("WARNING"), v.out());
            CliRun j = CliRun.of("verify", delivered.toString(), "--trust", ca, "--dns", dns.toString(), "--log", atomFile.toString(), "--json");
            assertTrue(j.out().contains("\"release_log\" : \"Release log: in our log as release #2"), j.out());

            // signed with our key but never sent through the log (what a stolen key would produce)
            CliRun preview = CliRun.of("--config", config, "--token-file", ed, "release", "preview", ids.get(2));
            Path unlogged = Files.write(dir.resolve("unlogged.eml"), preview.stdout);
            CliRun u = CliRun.of("verify", unlogged.toString(), "--trust", ca, "--dns", dns.toString(), "--log", atomFile.toString());
            assertEquals(0, u.exitCode, u.toString());
            assertTrue(u.out().contains("Release log: NOT in our log"), u.out());

            // a changed feed: its signature fails, and the chain shows the removed entry
            String text = new String(atom, StandardCharsets.UTF_8);
            int first = text.lastIndexOf("  <entry>");
            String withoutFirst = text.substring(0, first) + text.substring(text.indexOf("</entry>\n", first) + 9);
            Files.writeString(atomFile, withoutFirst);
            CliRun t = CliRun.of("verify", delivered.toString(), "--trust", ca, "--dns", dns.toString(), "--log", atomFile.toString());
            assertTrue(t.out().contains("WARNING: the release log itself fails its checks"), t.out());
            assertTrue(t.out().contains("entry #2 follows #0") && t.out().contains("signature releases.atom.p7s is not valid"), t.out());
        } finally {
            smtp.stop();
        }
    }

    @Test
    void anInjectedOrChangedEntryBreaksTheChain() {
        Release a = new Release(7, "A", "s", "b", null, "general", Instant.EPOCH, "sent");
        Release b = new Release(8, "B", "s", "b", null, "general", Instant.EPOCH, "sent");
        Release c = new Release(9, "C", "s", "b", null, "general", Instant.EPOCH, "sent");
        ReleaseLogEntry e1 = ReleaseLogEntry.next(1, a, List.of("Chief Press Officer"), Instant.ofEpochSecond(1000), ReleaseLogEntry.GENESIS);
        ReleaseLogEntry e2 = ReleaseLogEntry.next(2, b, List.of(), Instant.ofEpochSecond(2000), e1.entryHash());
        assertTrue(ReleaseFeed.chainProblems(List.of(e1, e2)).isEmpty());
        List<ReleaseLogEntry> parsed = ReleaseFeed.parse(ReleaseFeed.render(List.of(e1, e2), "Press <Office> & Co", "https://x.example"));
        assertEquals(List.of(e1, e2), parsed);
        // someone slips an entry in between and renumbers: e2 no longer chains to its predecessor
        ReleaseLogEntry forged = ReleaseLogEntry.next(2, c, List.of(), Instant.ofEpochSecond(1500), e1.entryHash());
        ReleaseLogEntry e2renumbered = new ReleaseLogEntry(3, e2.releaseId(), e2.contentHash(), e2.title(), e2.approvers(),
                e2.sentAt(), e2.previousHash(), e2.entryHash());
        List<String> p = ReleaseFeed.chainProblems(List.of(e1, forged, e2renumbered));
        assertTrue(p.stream().anyMatch(s -> s.contains("entry #3 does not chain")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("entry #3 was changed")), p.toString());
        ReleaseLogEntry retitled = new ReleaseLogEntry(2, e2.releaseId(), e2.contentHash(), "B (edited)", e2.approvers(),
                e2.sentAt(), e2.previousHash(), e2.entryHash());
        assertTrue(ReleaseFeed.chainProblems(List.of(e1, retitled)).get(0).contains("entry #2 was changed"));
        assertEquals(java.util.Optional.of(42L), ReleaseFeed.releaseIdOf("<release-42.abcdef@example.org>"));
        assertTrue(ReleaseFeed.releaseIdOf("<other.1@example.org>").isEmpty());
    }
}
