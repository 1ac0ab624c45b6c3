package dev.signedmail.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import dev.signedmail.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export, forget and unsuppress, through the command line. */
class PersonalDataTest {

    @TempDir
    Path dir;

    private String[] args(Path cfg, String... rest) {
        String[] all = new String[rest.length + 2];
        all[0] = "--config";
        all[1] = cfg.toString();
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    @Test
    void exportShowsWhatIsHeldAndForgetErasesItForGood() throws Exception {
        StringBuilder props = new StringBuilder();
        for (Map.Entry<String, String> e : TestSupport.settingsMap(dir.resolve("data"), 25).entrySet()) {
            props.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
        }
        Path cfg = Files.writeString(dir.resolve("m.properties"), props);
        assertEquals(0, CliRun.of(args(cfg, "init")).exitCode);
        assertEquals(0, CliRun.of(args(cfg, "subscribers", "add", "Zoe@Example.com", "--name", "Zoë", "--topic", "alerts")).exitCode);

        CliRun export = CliRun.of(args(cfg, "subscribers", "export", "zoe@example.com"));
        assertEquals(0, export.exitCode, export.toString());
        assertTrue(export.out().contains("\"email\" : \"zoe@example.com\"") && export.out().contains("Zoë")
                && export.out().contains("alerts"), export.out());

        CliRun forget = CliRun.of(args(cfg, "subscribers", "forget", "zoe@example.com"));
        assertEquals(0, forget.exitCode, forget.toString());
        CliRun list = CliRun.of(args(cfg, "subscribers", "list"));
        assertFalse(list.out().contains("zoe@") || list.out().contains("Zoë"), list.out());
        assertEquals(1, CliRun.of(args(cfg, "subscribers", "export", "zoe@example.com")).exitCode);

        Path csv = Files.writeString(dir.resolve("old.csv"), "email,name\nzoe@example.com,Zoë\nnew@example.com,New\n");
        CliRun reimport = CliRun.of(args(cfg, "subscribers", "import", csv.toString()));
        assertEquals(0, reimport.exitCode, reimport.toString());
        assertTrue(reimport.out().contains("1 added") && reimport.out().contains("was erased on request"), reimport.out());
        CliRun add = CliRun.of(args(cfg, "subscribers", "add", "zoe@example.com"));
        assertEquals(1, add.exitCode);
        assertTrue(add.stderr.contains("erased on request"), add.stderr);
    }

    /** Regression: forget left a pending subscribe request (address in clear) in the confirmations table. */
    @Test
    void forgetAlsoErasesRequestsOfSomeoneWhoNeverConfirmed() throws Exception {
        java.util.Map<String, String> map = TestSupport.settingsMap(dir.resolve("data2"), 25);
        dev.signedmail.config.Settings settings = dev.signedmail.config.Settings.of(map);
        dev.signedmail.MailerRuntime.init(settings);
        try (dev.signedmail.MailerRuntime rt = dev.signedmail.MailerRuntime.open(settings)) {
            new Confirmations(rt.db(), rt.tokenKeys()).request("pending@example.com", "Pen Ding", java.util.List.of("general"), "web");
            java.util.function.Supplier<Integer> held = () -> rt.db().jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM confirmations WHERE email = 'pending@example.com'").mapTo(Integer.class).one());
            assertEquals(1, held.get());
            assertTrue(new PersonalData(rt.db()).forget("pending@example.com"), "data was held: the request");
            assertEquals(0, held.get());
        }
    }

    @Test
    void unsuppressLiftsASuppression() throws Exception {
        StringBuilder props = new StringBuilder();
        for (Map.Entry<String, String> e : TestSupport.settingsMap(dir.resolve("data"), 25).entrySet()) {
            props.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
        }
        Path cfg = Files.writeString(dir.resolve("m.properties"), props);
        CliRun.of(args(cfg, "init"));
        CliRun.of(args(cfg, "subscribers", "add", "b@example.com"));
        assertEquals(1, CliRun.of(args(cfg, "subscribers", "unsuppress", "b@example.com")).exitCode, "not suppressed");
        try (var rt = dev.signedmail.MailerRuntime.open(TestSupport.settings(dir.resolve("data"), 25))) {
            rt.db().jdbi().useHandle(h -> h.execute("UPDATE subscribers SET status = 'suppressed', bounce_score = 3"));
        }
        CliRun lifted = CliRun.of(args(cfg, "subscribers", "unsuppress", "b@example.com"));
        assertEquals(0, lifted.exitCode, lifted.toString());
        assertTrue(CliRun.of(args(cfg, "subscribers", "list")).out().contains("b@example.com,,active"));
    }
}
