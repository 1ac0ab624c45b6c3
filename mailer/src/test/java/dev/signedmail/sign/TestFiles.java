package dev.signedmail.sign;


import dev.signedmail.testing.Verifiers;
import java.io.IOException;
import dev.signedmail.TestSupport;
import java.nio.file.Path;
import java.util.List;

/** Paths to keys-example/ and the shared corpora, and running external verifiers. */
final class TestFiles {
    private TestFiles() {
    }

    static Path root() {
        return TestSupport.projectRoot();
    }

    static Path keys(String name) {
        return TestSupport.keyFile(name);
    }

    static Path corpus(String relative) {
        return TestSupport.corpus(relative);
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
