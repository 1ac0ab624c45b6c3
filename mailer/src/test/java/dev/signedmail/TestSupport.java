package dev.signedmail;

import dev.signedmail.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where the project's files are, and settings for a test that uses the demo keys. */
public final class TestSupport {
    private TestSupport() {
    }

    public static Path projectRoot() {
        String p = System.getProperty("signedmail.projectRoot");
        return p != null ? Path.of(p).toAbsolutePath().normalize() : Path.of("..").toAbsolutePath().normalize();
    }

    public static Path keys() {
        return projectRoot().resolve("keys-example");
    }

    /** A file of keys-example/, which must exist. */
    public static Path keyFile(String name) {
        Path p = keys().resolve(name);
        org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.isRegularFile(p),
                "missing " + p + " (run keys-example/generate.sh)");
        return p;
    }

    /** A file or folder of the shared corpora (beside the project), which must exist. */
    public static Path corpus(String relative) {
        Path p = projectRoot().resolve("../shared/corpora").resolve(relative).normalize();
        org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.exists(p), "missing corpus file " + p);
        return p;
    }

    /** Settings for a fresh database in {@code home}, sending to a loopback relay on {@code smtpPort}. */
    public static Map<String, String> settingsMap(Path home, int smtpPort) {
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("home", home.toString());
        cfg.put("from", "Example Press Office <news@example.org>");
        cfg.put("organisation", "Example Press Office");
        cfg.put("base.url", "https://news.example.org");
        cfg.put("smtp.host", "127.0.0.1");
        cfg.put("smtp.port", Integer.toString(smtpPort));
        cfg.put("smtp.connections", "2");
        cfg.put("smtp.timeout.seconds", "10");
        // retries in tests: quick backoff, and a run gives up after 3 s without progress
        cfg.put("send.retry.base.seconds", "0.2");
        cfg.put("send.retry.max.seconds", "2");
        cfg.put("send.patience.seconds", "3");
        cfg.put("smime.keystore", keys().resolve("signer.p12").toString());
        cfg.put("smime.password.file", keys().resolve("signer.p12.password").toString());
        cfg.put("dkim.key", keys().resolve("dkim-private.pem").toString());
        cfg.put("dkim.domain", "example.org");
        cfg.put("dkim.selector", "demo");
        return cfg;
    }

    public static Settings settings(Path home, int smtpPort) {
        return Settings.of(settingsMap(home, smtpPort));
    }
}
