package dev.signedmail.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import dev.signedmail.MailerRuntime;
import dev.signedmail.testing.CliRun;
import dev.signedmail.testing.Flow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of the command line: 0 ok, 1 failure with one clear message, 2 usage. */
class CommandLineTest {

    @TempDir
    Path dir;

    private Path config(Map<String, String> overrides) throws Exception {
        Map<String, String> cfg = new java.util.LinkedHashMap<>(TestSupport.settingsMap(dir.resolve("data"), 2525));
        cfg.putAll(overrides);
        StringBuilder b = new StringBuilder();
        cfg.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
        Path f = dir.resolve("m.properties");
        Files.writeString(f, b);
        return f;
    }

    @Test
    void everyCommandHasHelp() {
        for (List<String> cmd : List.<List<String>>of(List.of(), List.of("init"), List.of("subscribers"), List.of("subscribers", "import"),
                List.of("subscribers", "add"), List.of("subscribers", "list"), List.of("release"),
                List.of("release", "create"), List.of("release", "show"), List.of("release", "preview"),
                List.of("release", "send"), List.of("release", "edit"), List.of("release", "submit"),
                List.of("release", "approve"), List.of("release", "reject"), List.of("release", "schedule"),
                List.of("release", "confirm"), List.of("release", "retract"), List.of("operators"),
                List.of("operators", "add"), List.of("operators", "list"), List.of("operators", "password"),
                List.of("operators", "token"), List.of("operators", "disable"), List.of("audit"), List.of("audit", "show"),
                List.of("audit", "verify"), List.of("halt"), List.of("resume"), List.of("run-due"), List.of("demo"))) {
            List<String> withHelp = new java.util.ArrayList<>(cmd);
            withHelp.add("--help");
            String[] args = withHelp.toArray(new String[0]);
            CliRun r = CliRun.of(args);
            assertEquals(0, r.exitCode, cmd + ": " + r);
            assertTrue(r.out().contains("Usage:"), cmd + ": " + r.out());
        }
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, CliRun.of("release", "create", "--title").exitCode);
        assertEquals(2, CliRun.of("no-such-command").exitCode);
        assertEquals(2, CliRun.of("release", "show", "not-a-number").exitCode);
    }

    @Test
    void failuresExit1WithOneClearLineAndNoStackTrace() throws Exception {
        Path cfg = config(Map.of());
        assertEquals(0, CliRun.of("--config", cfg.toString(), "init").exitCode);
        CliRun missing = CliRun.of("--config", cfg.toString(), "release", "show", "999");
        assertEquals(1, missing.exitCode);
        assertTrue(missing.stderr.startsWith("error: there is no release 999"), missing.stderr);
        assertFalse(missing.stderr.contains("\tat "), "no stack trace: " + missing.stderr);

        Path body = dir.resolve("b.md");
        Files.writeString(body, "Body");
        Flow flow;
        try (MailerRuntime rt = MailerRuntime.open(dev.signedmail.config.Settings.load(cfg, Map.of()))) {
            flow = Flow.operators(rt, dir.resolve("tokens"));
        }
        String ed = flow.editorToken.toString();
        String ap = flow.approverToken.toString();
        Path badKeys = config(Map.of("smime.keystore", dir.resolve("nope.p12").toString()));
        String id = CliRun.of("--config", badKeys.toString(), "--token-file", ed, "release", "create", "--title", "T", "--body", body.toString()).out().strip();
        assertEquals(0, CliRun.of("--config", badKeys.toString(), "--token-file", ed, "release", "submit", id).exitCode);
        assertEquals(0, CliRun.of("--config", badKeys.toString(), "--token-file", ap, "release", "approve", id).exitCode);
        CliRun noKey = CliRun.of("--config", badKeys.toString(), "--token-file", ap, "release", "send", id);
        assertEquals(1, noKey.exitCode, noKey.toString());
        assertTrue(noKey.stderr.contains("nope.p12") && noKey.stderr.contains("MAILER_SMIME_KEYSTORE"), noKey.stderr);

        Path wrongFrom = config(Map.of("from", "Someone <someone@example.org>"));
        CliRun mismatch = CliRun.of("--config", wrongFrom.toString(), "--token-file", ap, "release", "send", id);
        assertEquals(1, mismatch.exitCode, mismatch.toString());
        assertTrue(mismatch.stderr.contains("someone@example.org") && mismatch.stderr.contains("signer.p12"), mismatch.stderr);
    }

    @Test
    void secretsAreNeverCommandLineOptions() {
        CliRun all = CliRun.of("help");
        for (String cmd : List.of("init", "subscribers", "release", "operators", "audit", "halt", "run-due", "demo")) {
            String help = CliRun.of(cmd, "--help").out().toLowerCase();
            assertFalse(help.contains("--password") || help.contains("--secret") || help.contains("--key "), help);
        }
        assertEquals(0, all.exitCode);
    }

    @Test
    void aDatabaseThatWasNeverInitialisedSaysRunInit() throws Exception {
        Path cfg = config(Map.of());
        CliRun r = CliRun.of("--config", cfg.toString(), "subscribers", "list");
        assertEquals(1, r.exitCode);
        assertTrue(r.stderr.contains("run `mailer init` first"), r.stderr);
    }
}
