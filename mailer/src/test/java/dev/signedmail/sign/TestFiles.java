package dev.signedmail.sign;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.testing.Verifiers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Paths to keys-example/ and the shared corpora, and running external verifiers. */
final class TestFiles {
    private TestFiles() {
    }

    static Path root() {
        String r = System.getProperty("signedmail.projectRoot");
        assertNotNull(r, "system property signedmail.projectRoot (set by surefire)");
        return Path.of(r).toAbsolutePath().normalize();
    }

    static Path keys(String name) {
        Path p = root().resolve("keys-example").resolve(name);
        assertTrue(Files.isRegularFile(p), "missing " + p + " (run keys-example/generate.sh)");
        return p;
    }

    static Path corpus(String relative) {
        Path p = root().resolve("../shared/corpora").resolve(relative).normalize();
        assertTrue(Files.isRegularFile(p), "missing corpus file " + p);
        return p;
    }

    static SmimeKey signerKey() {
        return SmimeKey.load(keys("signer.p12"), keys("signer.p12.password"));
    }

    static DkimKey dkimKey() {
        return DkimKey.load(keys("dkim-private.pem"), "example.org", "demo");
    }

    /** Runs a process with a time limit; stdout and stderr together. */
    static Verifiers.Result run(List<String> command) throws IOException, InterruptedException {
        return Verifiers.run(command);
    }

    /** Verifies {@code message} with Debian's python3-dkim, with {@code dnsRecord} as the only DNS answer. */
    static boolean pythonDkimVerify(byte[] message, String dnsRecord) throws IOException, InterruptedException {
        return Verifiers.pythonDkimVerify(message, dnsRecord);
    }
}
