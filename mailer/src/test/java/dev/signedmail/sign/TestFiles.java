package dev.signedmail.sign;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    record Result(int exitCode, String output) {
    }

    /** Runs a process with a time limit; stdout and stderr together. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("proc", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static final String PY_VERIFY = String.join("\n",
            "import sys, dkim",
            "msg = open(sys.argv[1], 'rb').read()",
            "record = open(sys.argv[2], 'rb').read().strip()",
            "def dns(name, timeout=5):",
            "    return record",
            "print('RESULT', dkim.verify(msg, dnsfunc=dns))",
            "");

    /** Verifies {@code message} with Debian's python3-dkim, with {@code dnsRecord} as the only DNS answer. */
    static boolean pythonDkimVerify(byte[] message, String dnsRecord) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dkimpy");
        try {
            Path script = Files.writeString(dir.resolve("verify.py"), PY_VERIFY);
            Path msg = Files.write(dir.resolve("msg.eml"), message);
            Path dns = Files.writeString(dir.resolve("dns.txt"), dnsRecord);
            Result r = run(List.of("/usr/bin/python3", script.toString(), msg.toString(), dns.toString()));
            List<String> lines = new ArrayList<>(r.output().lines().filter(l -> l.startsWith("RESULT ")).toList());
            assertTrue(r.exitCode() == 0 && lines.size() == 1, "python3 dkim failed: " + r.output());
            return lines.get(0).equals("RESULT True");
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
