package dev.signedmail.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signedmail.TestSupport;
import dev.signedmail.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code mailer feedback parse FILE...}: JSON lines and exit codes. */
class FeedbackCliTest {
    private static final Path EMAILS = TestSupport.projectRoot().resolve("../shared/corpora/sisimai-bounces/emails").normalize();

    private record Run(int rc, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int rc = Main.run(args);
            return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void printsOneJsonObjectPerRecipientAndNoneForOtherMail() throws Exception {
        Run r = run("feedback", "parse", EMAILS.resolve("lhost-postfix-32.eml").toString(),
                EMAILS.resolve("is-not-bounce-01.eml").toString(), EMAILS.resolve("arf-02.eml").toString());
        assertEquals(0, r.rc(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length, r.out());
        ObjectMapper json = new ObjectMapper();
        JsonNode bounce = json.readTree(lines[0]);
        assertEquals("5.1.1", bounce.get("status").asText());
        assertEquals("550", bounce.get("replycode").asText());
        assertEquals("hard", bounce.get("kind").asText());
        assertEquals("userunknown", bounce.get("reason").asText());
        assertEquals("none", json.readTree(lines[1]).get("kind").asText());
        JsonNode arf = json.readTree(lines[2]);
        assertEquals("complaint", arf.get("kind").asText());
        assertEquals("abuse", arf.get("feedbacktype").asText());
    }

    @Test
    void unreadableFileExitsOneNamingIt() {
        Run r = run("feedback", "parse", "/no/such/file.eml");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("/no/such/file.eml"), r.err());
    }

    @Test
    void usageErrorsExitTwoAndHelpWorks() {
        assertEquals(2, run("feedback", "parse").rc());
        assertEquals(2, run("feedback").rc());
        Run help = run("feedback", "parse", "--help");
        assertEquals(0, help.rc());
        assertTrue(help.out().contains("JSON"), help.out());
    }
}
