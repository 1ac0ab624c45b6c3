package dev.signedmail.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a program that is not ours (SoftHSM, NSS cmsutil, gpgsm, a second DKIM
 * verifier): in CI ({@code CI=true}, where {@code .ci/run} installs them) a missing one fails the
 * test; on a developer machine the test is skipped with a message saying what to install, so a
 * skip is never mistaken for a pass in CI.
 */
public final class ExternalTools {
    private ExternalTools() {
    }

    /** Returns the path of {@code file} (a program on PATH or an absolute path), or fails/skips. */
    public static Path require(String file, String debianPackage) {
        Path found = null;
        if (file.startsWith("/")) {
            found = Files.isRegularFile(Path.of(file)) ? Path.of(file) : null;
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                for (String d : new String[] {dir, "/usr/sbin", "/sbin"}) {
                    Path p = Path.of(d, file);
                    if (found == null && Files.isExecutable(p)) {
                        found = p;
                    }
                }
            }
        }
        if (found == null) {
            String msg = file + " is missing: apt-get install " + debianPackage + " (.ci/run installs it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + msg);
            }
            Assumptions.abort("skipped, " + msg);
        }
        return found;
    }
}
