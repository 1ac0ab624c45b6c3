package dev.signedmail.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signedmail.cron.RunDue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API with bearer tokens: the two-person flow, the status codes, audit rows as "api". */
class ApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    OfficeFixture web;

    @BeforeEach
    void start() throws Exception {
        web = new OfficeFixture(dir);
    }

    @AfterEach
    void stop() throws Exception {
        web.close();
    }

    record Reply(int status, JsonNode json) {
        long id() {
            return json.get("id").asLong();
        }

        String error() {
            return json.path("error").asText();
        }
    }

    private Reply call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(web.url(path))).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = web.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.body());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    @Test
    void theTwoPersonFlowOverTheApiQueuesForRunDue() throws Exception {
        Reply created = call("POST", "/api/releases", web.edToken,
                "{\"title\":\"Flood warning\",\"summary\":\"River Ouse\",\"body\":\"Move cars from the quay.\",\"topic\":\"general\"}");
        assertEquals(201, created.status(), created.json().toString());
        long id = created.id();
        assertEquals("draft", created.json().get("status").asText());
        Reply preview = call("GET", "/api/releases/" + id + "/preview", web.edToken, null);
        assertEquals(false, preview.json().get("signed").asBoolean());
        assertTrue(preview.json().get("html").asText().contains("Move cars from the quay."));
        assertEquals(200, call("POST", "/api/releases/" + id + "/submit", web.edToken, null).status());

        Reply own = call("POST", "/api/releases/" + id + "/approve", web.edToken, null);
        assertEquals(403, own.status(), "an editor does not approve");
        Reply stale = call("POST", "/api/releases/" + id + "/approve", web.apToken, "{\"contentHash\":\"" + "0".repeat(64) + "\"}");
        assertEquals(409, stale.status(), "an approval of content other than what is there is refused: " + stale.error());
        Reply approved = call("POST", "/api/releases/" + id + "/approve", web.apToken,
                "{\"contentHash\":\"" + preview.json().get("contentHash").asText() + "\"}");
        assertEquals(200, approved.status(), approved.error());
        assertEquals("approved", approved.json().get("status").asText());
        assertEquals(preview.json().get("contentHash").asText(), approved.json().get("approvedHash").asText());

        Reply queued = call("POST", "/api/releases/" + id + "/send", web.edToken, null);
        assertEquals("scheduled", queued.json().get("status").asText());
        assertTrue(web.relay.received().isEmpty(), "the API only queues the send");
        assertEquals(0, RunDue.run(web.rt, new PrintStream(new ByteArrayOutputStream(), true)));
        assertEquals(2, web.relay.received().size());
        assertEquals("sent", call("GET", "/api/releases/" + id, web.apToken, null).json().get("status").asText());

        Reply retracted = call("POST", "/api/releases/" + id + "/retract", web.edToken, "{\"reason\":\"sent too early\"}");
        assertEquals(200, retracted.status(), retracted.error());
        assertEquals(2, retracted.json().get("noticeRecipients").asInt());

        Reply audit = call("GET", "/api/audit?release=" + id, web.adToken, null);
        boolean apiRows = false;
        for (JsonNode e : audit.json()) {
            apiRows |= e.get("action").asText().equals("approve") && e.get("via").asText().equals("api")
                    && e.get("address").asText().equals("127.0.0.1") && e.get("operator").asText().equals("ap");
        }
        assertTrue(apiRows, audit.json().toString());
        assertTrue(call("GET", "/api/audit/verify", web.adToken, null).json().get("intact").asBoolean());
    }

    @Test
    void sharedBodyModeIsSetOverTheApiAndShownToTheApprover() throws Exception {
        Reply created = call("POST", "/api/releases", web.edToken,
                "{\"title\":\"Ignore the last message\",\"body\":\"It was not from us.\",\"sharedBody\":true}");
        assertEquals(201, created.status(), created.json().toString());
        assertTrue(created.json().get("sharedBody").asBoolean());
        Reply preview = call("GET", "/api/releases/" + created.id() + "/preview", web.edToken, null);
        assertTrue(preview.json().get("html").asText().contains("/preferences\""), "the generic preferences page");
        assertFalse(preview.json().get("html").asText().contains("Example Subscriber"), "no name in a shared body");
        Reply edited = call("PUT", "/api/releases/" + created.id(), web.edToken, "{\"title\":\"Ignore it\"}");
        assertTrue(edited.json().get("sharedBody").asBoolean(), "an edit that does not name the mode keeps it: " + edited.json());
        assertEquals(422, call("POST", "/api/releases", web.edToken, "{\"title\":\"T\",\"body\":\"B\",\"sharedBody\":\"yes\"}")
                .status());
    }

    @Test
    void errorsHaveStatusAndMessage() throws Exception {
        assertEquals(401, call("GET", "/api/releases", null, null).status());
        assertEquals(401, call("GET", "/api/releases", "not-a-token", null).status());
        assertEquals(404, call("GET", "/api/releases/999", web.edToken, null).status());
        Reply bad = call("POST", "/api/releases", web.edToken, "{\"title\":\"\",\"body\":\"x\"}");
        assertEquals(422, bad.status());
        assertTrue(bad.error().contains("title"), bad.error());
        assertEquals(422, call("POST", "/api/releases", web.edToken, "{not json").status());
        long id = call("POST", "/api/releases", web.edToken, "{\"title\":\"T\",\"body\":\"B\"}").id();
        Reply notSubmitted = call("POST", "/api/releases/" + id + "/approve", web.apToken, null);
        assertEquals(409, notSubmitted.status());
        assertTrue(notSubmitted.error().contains("not submitted"), notSubmitted.error());
        assertEquals(422, call("POST", "/api/releases/" + id + "/schedule", web.edToken, "{\"at\":\"soon\"}").status());
        assertTrue(call("POST", "/api/halt", web.edToken, "{\"reason\":\"checking\"}").json().get("halted").asBoolean());
        assertEquals(403, call("POST", "/api/resume", web.edToken, null).status());
        assertEquals(false, call("POST", "/api/resume", web.adToken, null).json().get("halted").asBoolean());
    }

    @Test
    void wrongTokensLockTheAddressOut() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(401, call("GET", "/api/releases", "wrong" + i, null).status());
        }
        Reply locked = call("GET", "/api/releases", web.edToken, null);
        assertEquals(401, locked.status(), "even the right token, from a locked-out address");
        assertTrue(locked.error().contains("locked out"), locked.error());
    }
}
