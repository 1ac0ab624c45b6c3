package dev.signedmail.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.testing.CliRun;
import dev.signedmail.testing.Flow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hash chain names the first row that was altered, removed or reordered. */
class AuditLogTest {
    @TempDir
    Path dir;
    Settings settings;
    Flow flow;
    Path config;

    @BeforeEach
    void fill() throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), 2525);
        settings = Settings.of(cfg);
        MailerRuntime.init(settings);
        try (MailerRuntime rt = MailerRuntime.open(settings)) {
            flow = Flow.operators(rt, dir.resolve("tokens"));
            flow.approved(rt, "One", "B.", "general"); // rows 1-3: create, submit, approve
            flow.approved(rt, "Two", "B.", "general"); // rows 4-6
            assertEquals(6, rt.audit().list(null, 100).size());
        }
        StringBuilder b = new StringBuilder();
        cfg.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
        config = Files.writeString(dir.resolve("m.properties"), b);
    }

    private void sql(String statement) {
        try (MailerRuntime rt = MailerRuntime.open(settings)) {
            rt.db().jdbi().useHandle(h -> h.execute(statement));
        }
    }

    private CliRun verify() {
        return CliRun.of("--config", config.toString(), "--token-file", flow.adminToken.toString(), "audit", "verify");
    }

    @Test
    void anUntouchedLogVerifies() {
        CliRun r = verify();
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.out().contains("intact: 6 row(s)"), r.out());
        CliRun show = CliRun.of("--config", config.toString(), "--token-file", flow.editorToken.toString(), "audit", "show");
        assertTrue(show.out().contains("approve") && show.out().contains(" ap "), show.out());
    }

    @Test
    void anAlteredRowIsNamed() {
        sql("UPDATE audit_log SET operator = 'ed' WHERE id = 3");
        CliRun r = verify();
        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("audit row 3 was altered"), r.stderr);
    }

    @Test
    void aRemovedRowIsNamed() {
        sql("DELETE FROM audit_log WHERE id = 4");
        CliRun r = verify();
        assertEquals(1, r.exitCode);
        assertTrue(r.stderr.contains("audit row 4 was removed"), r.stderr);
    }

    @Test
    void aRemovedLastRowIsNamed() {
        sql("DELETE FROM audit_log WHERE id = 6");
        assertTrue(verify().stderr.contains("audit row 6 was removed"));
    }

    @Test
    void reorderedRowsAreNamed() {
        // swap the contents of rows 2 and 3, hashes and all: each row is intact alone, the chain is not
        sql("UPDATE audit_log SET id = -2 WHERE id = 2");
        sql("UPDATE audit_log SET id = 2 WHERE id = 3");
        sql("UPDATE audit_log SET id = 3 WHERE id = -2");
        CliRun r = verify();
        assertEquals(1, r.exitCode);
        assertTrue(r.stderr.contains("audit row 2 does not follow row 1"), r.stderr);
    }

    @Test
    void concurrentAppendsKeepOneChain() throws Exception {
        try (MailerRuntime rt = MailerRuntime.open(settings)) {
            List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 10; i++) {
                        rt.audit().record(flow.editor, "test", null, null, null);
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            AuditLog.Verification v = rt.audit().verify();
            assertTrue(v.intact(), v.problem().orElse(""));
            assertEquals(46, v.rows());
        }
    }
}
