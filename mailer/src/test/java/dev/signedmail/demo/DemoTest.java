package dev.signedmail.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import dev.signedmail.testing.Verifiers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {

    @TempDir
    Path out;

    @Test
    void theDemoWritesSignedMessagesThatVerifyAndPrintsTheCheckCommand() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Path> files = Demo.run(out, new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(files.size() >= 5, "the sample list has at least 5 subscribers: " + files);
        assertTrue(printed.contains("openssl cms -verify -in '"), printed);
        assertTrue(printed.contains("-purpose smimesign"), printed);
        X509Certificate ca = Verifiers.certificate(TestSupport.keys().resolve("ca.pem"));
        String record = Files.readString(TestSupport.keys().resolve("dkim.txt"));
        boolean sawNonAscii = false;
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            X509Certificate signer = Verifiers.smimeSigner(Verifiers.smime(bytes), ca);
            assertTrue(Verifiers.namesAddress(signer, "news@example.org"));
            assertTrue(Verifiers.pythonDkimVerify(bytes, record), f.toString());
            Verifiers.Result openssl = Verifiers.opensslVerify(f, TestSupport.keys().resolve("ca.pem"));
            assertEquals(0, openssl.exitCode(), openssl.output());
            sawNonAscii |= new String(bytes, StandardCharsets.US_ASCII).contains("=?UTF-8?");
        }
        assertTrue(sawNonAscii, "one subscriber has a non-ASCII name, encoded per RFC 2047");
    }
}
