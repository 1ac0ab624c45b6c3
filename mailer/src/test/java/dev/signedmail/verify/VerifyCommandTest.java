package dev.signedmail.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signedmail.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code verify} subcommand end to end: exit codes, text and JSON. */
class VerifyCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out) {
    }

    static synchronized Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void ownMessageIsAuthenticWithExitZero() throws Exception {
        OwnMessagesTest.setUp();
        Path eml = Files.write(tmp.resolve("m.eml"), OwnMessagesTest.factory().build(OwnMessagesTest.message("Road closed")));
        Path dns = Files.writeString(tmp.resolve("dns.json"), "{\"demo._domainkey.example.org\": "
                + new ObjectMapper().writeValueAsString(Files.readString(Corpora.keys("dkim.txt")).strip()) + "}");
        String ca = Corpora.keys("ca.pem").toString();
        Run text = run("verify", eml.toString(), "--trust", ca, "--dns", dns.toString());
        assertEquals(0, text.exit(), text.out());
        assertTrue(text.out().startsWith("Authentic: signed by Example Press Office <news@example.org>, content unchanged."), text.out());

        Run json = run("verify", eml.toString(), "--trust", ca, "--dns", dns.toString(), "--json");
        assertEquals(0, json.exit(), json.out());
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertEquals("authentic", j.get("verdict").asText());
        assertEquals("good", j.get("smime").get("status").asText());
        assertEquals("Example Press Office <news@example.org>", j.get("smime").get("signer").asText());
        assertEquals("pass", j.get("dkim").get(0).get("result").asText());
        assertEquals("example.org", j.get("dkim").get(0).get("d").asText());
        assertEquals("demo", j.get("dkim").get(0).get("s").asText());
        assertEquals("rsa-sha256", j.get("dkim").get(0).get("a").asText());

        Path changed = Files.writeString(tmp.resolve("c.eml"), Files.readString(eml, StandardCharsets.ISO_8859_1)
                .replace("Subject: Road closed", "Subject: Road open"), StandardCharsets.ISO_8859_1);
        Run bad = run("verify", changed.toString(), "--trust", ca, "--dns", dns.toString());
        assertEquals(1, bad.exit(), bad.out());
        assertTrue(bad.out().startsWith("NOT AUTHENTIC:"), bad.out());
    }

    @Test
    void corpusMessagesWithDnsFileAndTime() throws Exception {
        Path dns = Files.writeString(tmp.resolve("dns.json"), "{\"sysmsg-1._domainkey.topicbox.com\": \"v=DKIM1; k=rsa; p="
                + "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC43V3fV5jD8p3isdDRIz5yXSg85VrZzd7fPCz3q5B2Z3Be/yOyumWmG4hX5UHn0HR/Im5cnzcwZeNu6SnlLJwggN0H664JHTjwQp8YiWKfEcDfOdz4K4kL6OrasDwb1nk5JBuJloGRpK5cTNEa0J0SNG+bhBzFfLvG5qp3p86RZwIDAQAB\"}");
        String eml = Corpora.corpus("dkim-vectors/stalwart/005.eml").toString();
        Run at = run("verify", eml, "--dns", dns.toString(), "--at", "1667843664", "--json");
        assertEquals(2, at.exit(), "DKIM only: cannot tell\n" + at.out());
        assertEquals("pass", new ObjectMapper().readTree(at.out()).get("dkim").get(0).get("result").asText());
        Run later = run("verify", eml, "--dns", dns.toString(), "--at", "2022-11-09T00:00:00Z", "--json");
        JsonNode j = new ObjectMapper().readTree(later.out());
        assertEquals("permerror", j.get("dkim").get(0).get("result").asText(), "x= has passed");
        assertTrue(j.get("dkim").get(0).get("reason").asText().contains("expired"));

        Run sha1 = run("verify", Corpora.corpus("smime-vectors/rfc4134/4.8.eml").toString(),
                "--trust", Corpora.corpus("smime-vectors/rfc4134/CarlDSSSelf.cer").toString(), "--dns", dns.toString());
        assertEquals(1, sha1.exit(), sha1.out());
        assertTrue(sha1.out().contains("SHA-1"), sha1.out());
    }

    @Test
    void unreadableInputCannotTell() {
        Run r = run("verify", tmp.resolve("missing.eml").toString(), "--dns", tmp.resolve("missing.json").toString());
        assertEquals(2, r.exit());
        assertEquals(2, run("verify", "--at", "yesterday-ish", "x.eml").exit());
    }
}
