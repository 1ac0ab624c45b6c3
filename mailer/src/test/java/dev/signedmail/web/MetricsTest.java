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

    @Test
    void metricsCountResultsByRelayAndSigningTimeAcrossProcesses() throws Exception {
        try (dev.signedmail.testing.ScriptedSmtpServer relay = new dev.signedmail.testing.ScriptedSmtpServer(a ->
                a.startsWith("gone@") ? "550 5.1.1 no such user" : a.startsWith("busy@") ? "451 4.3.0 try again later" : null)) {
            Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data2"), relay.port());
            cfg.put("web.port", "0");
            Settings s = Settings.of(cfg);
            MailerRuntime.init(s);
            try (MailerRuntime rt = MailerRuntime.open(s)) {
                for (String a : List.of("ok@example.org", "gone@example.org", "busy@example.org")) {
                    rt.subscribers().add(a, null, List.of("general"));
                }
                dev.signedmail.testing.Flow flow = dev.signedmail.testing.Flow.operators(rt, dir.resolve("t2"));
                long release = flow.approved(rt, "M", "b", "general");
                rt.sender(flow.approver).send(release, dev.signedmail.send.SendListener.NONE,
                        dev.signedmail.send.ReleaseSender.StopSignal.NEVER);
                try (WebServer server = WebServer.start(rt)) { // another runtime would read the same rows
                    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    String label = "relay=\"127.0.0.1:" + relay.port() + "\"";
                    assertTrue(body.contains("signedmail_messages_total{" + label + ",result=\"sent\"} 1\n"), body);
                    assertTrue(body.contains("signedmail_messages_total{" + label + ",result=\"failed\"} 1\n"), body);
                    // the 451 is retried within the run (fast retries in tests), so it is deferred at least once
                    assertTrue(body.matches("(?s).*signedmail_messages_total\\{" + java.util.regex.Pattern.quote(label)
                            + ",result=\"deferred\"} [1-9]\\d*\n.*"), body);
                    java.util.regex.Matcher signed = java.util.regex.Pattern.compile(
                            "signedmail_signed_messages_total\\{" + java.util.regex.Pattern.quote(label) + "} (\\d+)").matcher(body);
                    assertTrue(signed.find(), body);
                    assertTrue(Long.parseLong(signed.group(1)) >= 3, "every attempt is signed: " + body);
                    java.util.regex.Matcher seconds = java.util.regex.Pattern.compile(
                            "signedmail_signing_seconds_total\\{" + java.util.regex.Pattern.quote(label) + "} ([0-9.]+)").matcher(body);
                    assertTrue(seconds.find() && Double.parseDouble(seconds.group(1)) > 0, body);
                }
            }
        }
    }
}
