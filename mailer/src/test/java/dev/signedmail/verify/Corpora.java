package dev.signedmail.verify;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths to keys-example/ and the shared corpora. */
final class Corpora {
    private Corpora() {
    }

    static Path root() {
        String r = System.getProperty("signedmail.projectRoot");
        assertNotNull(r, "system property signedmail.projectRoot (set by surefire)");
        return Path.of(r).toAbsolutePath().normalize();
    }

    static Path keys(String name) {
        Path p = root().resolve("keys-example").resolve(name);
        assertTrue(Files.isRegularFile(p), "missing " + p);
        return p;
    }

    static Path corpus(String relative) {
        Path p = root().resolve("../shared/corpora").resolve(relative).normalize();
        assertTrue(Files.exists(p), "missing corpus file " + p);
        return p;
    }
}
