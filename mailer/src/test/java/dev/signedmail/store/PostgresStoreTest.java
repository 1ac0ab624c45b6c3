package dev.signedmail.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.feedback.BounceParser;
import dev.signedmail.feedback.FeedbackReport;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import dev.signedmail.subscriber.CsvImport;
import dev.signedmail.subscriber.Subscriber;
import dev.signedmail.testing.ScriptedSmtpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on a real PostgreSQL: migrations, import, listing (string_agg), snapshot and send
 * through a loopback relay, feedback. Runs when MAILER_TEST_PG_URL names a database this test may
 * wipe (e.g. jdbc:postgresql://127.0.0.1:5432/mailer_test?user=mailer&password=mailer); .ci/run
 * sets it, and under CI=true a missing URL fails instead of skipping.
 */
class PostgresStoreTest {
    static final String URL = System.getenv("MAILER_TEST_PG_URL");

    @TempDir
    Path dir;

    @BeforeEach
    void cleanDatabase() throws Exception {
        if (URL == null || URL.isBlank()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("MAILER_TEST_PG_URL is not set: CI must run the PostgreSQL tests (.ci/run sets it)");
            }
            System.err.println("PostgresStoreTest SKIPPED: set MAILER_TEST_PG_URL=jdbc:postgresql://… to run the store tests on PostgreSQL");
            Assumptions.abort("MAILER_TEST_PG_URL not set: PostgreSQL tests skipped");
        }
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS public CASCADE");
            s.execute("CREATE SCHEMA public");
        }
    }

    private Settings settings(int smtpPort) {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), smtpPort);
        cfg.put("db.url", URL);
        return Settings.of(cfg);
    }

    @Test
    void initIsIdempotentAndOpenChecksTheSchema() {
        Settings s = settings(25);
        String first = MailerRuntime.init(s);
        long migrations;
        try (var files = java.nio.file.Files.list(TestSupport.projectRoot().resolve("mailer/src/main/resources/db/migration"))) {
            migrations = files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(first.contains("jdbc:postgresql:") && first.contains(migrations + " migration(s) applied"), first);
        assertFalse(first.contains("password"), "the database password never appears in output: " + first);
        assertTrue(MailerRuntime.init(s).contains("0 migration(s) applied"));
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            assertTrue(rt.db().postgres());
            assertEquals(0, rt.subscribers().count());
        }
    }

    @Test
    void importMergesAndListsTopics() throws Exception {
        Settings s = settings(25);
        MailerRuntime.init(s);
        Path csv = dir.resolve("list.csv");
        Files.writeString(csv, "email,name,topics\nzoe@example.com,Zoë,road-closures;general\nbob@example.net,,general\n"
                + "ZOE@example.com,,appeals\n", StandardCharsets.UTF_8);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            CsvImport.Result r = CsvImport.run(rt.db(), csv, false);
            assertEquals(2, rt.subscribers().count(), r.toString());
            Subscriber zoe = rt.subscribers().find("zoe@example.com").orElseThrow();
            assertEquals("Zoë", zoe.name());
            assertEquals(List.of("appeals", "general", "road-closures"), zoe.topics());
            int[] n = {0};
            rt.subscribers().forEach(x -> n[0]++);
            assertEquals(2, n[0]);
        }
    }

    @Test
    void snapshotAndSendThroughALoopbackRelayThenFeedback() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> a.startsWith("reject") ? "550 5.1.1 user unknown" : null)) {
            Settings s = settings(relay.port());
            MailerRuntime.init(s);
            long id;
            try (MailerRuntime rt = MailerRuntime.open(s)) {
                for (String a : List.of("first@example.org", "reject@example.org", "kijitora@example.org")) {
                    rt.subscribers().add(a, null, List.of("general"));
                }
                dev.signedmail.testing.Flow flow = dev.signedmail.testing.Flow.operators(rt, dir.resolve("tokens"));
                id = flow.approved(rt, "Test release", "Body **text**.", "general");
                SendSummary summary = rt.sender(flow.approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
                assertEquals(2, summary.sent());
                assertEquals(1, summary.failed());
                assertEquals(Map.of("sent", 2, "failed", 1), rt.outbox().counts(id));
                assertEquals("sent", rt.releases().get(id).status());
                assertEquals(2, relay.received().size());
                // a rerun sends nothing twice
                assertEquals(0, rt.sender(flow.approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER).sent());

                // feedback: the synchronous 5xx scored the address; a real DSN suppresses another
                byte[] dsn = Files.readAllBytes(TestSupport.projectRoot().resolve("../shared/corpora/sisimai-bounces/emails/lhost-postfix-05.eml"));
                assertTrue(rt.feedback().applyOnce(new BounceParser().parse(dsn), "k1", "mailbox"));
                assertFalse(rt.feedback().applyOnce(new BounceParser().parse(dsn), "k1", "mailbox"), "applied once");
                assertEquals("suppressed", rt.subscribers().find("kijitora@example.org").orElseThrow().status());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new FeedbackReport(rt.db()).print(new PrintStream(out, true, StandardCharsets.UTF_8));
                assertTrue(out.toString(StandardCharsets.UTF_8).contains("kijitora@example.org"), out.toString(StandardCharsets.UTF_8));
            }
        }
    }
}
