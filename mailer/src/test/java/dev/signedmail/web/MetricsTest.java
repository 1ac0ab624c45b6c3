package dev.signedmail.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.store.Heartbeats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics in the Prometheus text format, and /health, over real HTTP. */
class MetricsTest {

    @TempDir
    Path dir;

    @Test
    void metricsShowQueueSubscribersFeedbackAndJobHeartbeats() throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), 25);
        cfg.put("web.port", "0");
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            rt.subscribers().add("a@example.org", null, List.of("general"));
            rt.subscribers().add("b@example.org", null, List.of("general"));
            long release = dev.signedmail.testing.Flow.operators(rt, dir.resolve("t")).approved(rt, "M", "b", "general");
            rt.outbox().snapshot(release);
            long row = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT MIN(id) FROM outbox").mapTo(Long.class).one());
            rt.feedback().applySmtpRefusal(row, "a@example.org", "550 5.1.1 user unknown");
            new Heartbeats(rt.db()).beat("run-due");
            try (WebServer server = WebServer.start(rt)) {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> m = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, m.statusCode());
                assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
                String body = m.body();
                assertTrue(body.contains("signedmail_outbox_messages{state=\"pending\"} 2"), body);
                assertTrue(body.contains("signedmail_queue_depth 2"), body);
                assertTrue(body.contains("signedmail_subscribers{state=\"suppressed\"} 1"), body);
                assertTrue(body.contains("signedmail_feedback_total{kind=\"hard\",our_side=\"false\"} 1"), body);
                assertTrue(body.matches("(?s).*signedmail_job_last_success_timestamp_seconds\\{job=\"run-due\"} \\d{10}\n.*"), body);
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("ok", health.body());
            }
        }
    }
}
