package dev.signedmail.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.Problem;
import dev.signedmail.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void environmentOverridesTheFileAndFilePathsAreRelativeToTheFile() throws Exception {
        Path cfg = dir.resolve("conf/mailer.properties");
        Files.createDirectories(cfg.getParent());
        Files.writeString(cfg, "smtp.host = relay.internal\nsmtp.port = 2525\nsmime.keystore = keys/signer.p12\n");
        Settings s = Settings.load(cfg, Map.of("MAILER_SMTP_PORT", "587"));
        assertEquals("relay.internal", s.string(Setting.SMTP_HOST));
        assertEquals(587, s.integer(Setting.SMTP_PORT, 1, 65535));
        assertEquals(dir.resolve("conf/keys/signer.p12").toAbsolutePath(), s.path(Setting.SMIME_KEYSTORE));
    }

    @Test
    void mailerConfigVariableNamesTheFile() throws Exception {
        Path cfg = dir.resolve("m.properties");
        Files.writeString(cfg, "dkim.selector = s2026\n");
        Settings s = Settings.load(null, Map.of("MAILER_CONFIG", cfg.toString()));
        assertEquals("s2026", s.string(Setting.DKIM_SELECTOR));
    }

    @Test
    void unknownKeysAreNamedWithTheirLine() throws Exception {
        Path cfg = dir.resolve("m.properties");
        Files.writeString(cfg, "# comment\nsmtp.host = x\nsmtp.hots = y\n");
        Problem p = assertThrows(Problem.class, () -> Settings.load(cfg, Map.of()));
        assertTrue(p.getMessage().contains("smtp.hots (line 3)"), p.getMessage());
    }

    @Test
    void badValuesSayWhereTheyCameFrom() {
        Problem p = assertThrows(Problem.class,
                () -> Settings.load(null, Map.of("MAILER_SMTP_TLS", "maybe")).smtpTls());
        assertTrue(p.getMessage().contains("MAILER_SMTP_TLS") && p.getMessage().contains("none, starttls, tls"),
                p.getMessage());
        Problem yesNo = assertThrows(Problem.class,
                () -> Settings.load(null, Map.of("MAILER_SMTP_CHUNKING", "yes")).bool(dev.signedmail.config.Setting.SMTP_CHUNKING));
        assertTrue(yesNo.getMessage().contains("MAILER_SMTP_CHUNKING") && yesNo.getMessage().contains("true or false"),
                yesNo.getMessage());
    }

    @Test
    void theExampleConfigNamesEverySettingAndOnlyThose() throws Exception {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(TestSupport.projectRoot().resolve("mailer/mailer.example.properties"))) {
            p.load(r);
        }
        Set<String> expected = new TreeSet<>();
        for (Setting s : Setting.values()) {
            expected.add(s.key);
        }
        assertEquals(expected, new TreeSet<>(p.stringPropertyNames()));
    }

    @Test
    void theH2UrlKeepsCommittedRowsOnKill() {
        Settings s = Settings.of(Map.of("home", dir.toString()));
        assertTrue(s.databaseUrl().endsWith(";WRITE_DELAY=0"), s.databaseUrl());
    }
}
