package dev.signedmail.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.signedmail.TestSupport;
import dev.signedmail.feedback.BounceParser;
import dev.signedmail.feedback.ParsedMail;
import dev.signedmail.verify.KeyRecords;
import dev.signedmail.verify.MessageVerifier;
import dev.signedmail.verify.VerificationReport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets: the bounce parser, its ARF (RFC 5965) reader, and the verifier must never throw,
 * whatever arrives in the bounce mailbox or is handed to {@code verify}.
 *
 * <p>In a plain {@code mvn test} each target replays its seeds and every input that once crashed
 * it ({@code src/test/resources/dev/signedmail/fuzz/ParserFuzzTestInputs/METHOD/}). {@code -Pfuzz}
 * fuzzes each target for a fixed time (README); a crash found there is kept as a new seed there.
 */
class ParserFuzzTest {
    private static final BounceParser PARSER = new BounceParser();
    private static final MessageVerifier VERIFIER = verifier();

    private static MessageVerifier verifier() {
        try (InputStream in = Files.newInputStream(TestSupport.keys().resolve("ca.pem"))) {
            X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            String record = Files.readString(TestSupport.keys().resolve("dkim.txt")).strip();
            return new MessageVerifier(List.of(ca), KeyRecords.of(Map.of("demo._domainkey.example.org", record)),
                    Instant.parse("2026-06-01T10:00:00Z"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest
    void bounceParser(byte[] message) {
        ParsedMail parsed = PARSER.parse(message);
        assertNotNull(parsed);
        assertNotNull(parsed.findings());
    }

    /** Reaches the ARF reader: inputs that are not a multipart/report already become its feedback-report part. */
    @FuzzTest
    void arfReport(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        byte[] message = text.toLowerCase(java.util.Locale.ROOT).contains("multipart/report") ? data : wrap(data);
        ParsedMail parsed = PARSER.parse(message);
        assertNotNull(parsed);
        assertNotNull(parsed.findings());
    }

    @FuzzTest
    void verifier(byte[] message) {
        VerificationReport report = VERIFIER.verify(message);
        assertNotNull(report);
        assertNotNull(report.verdict());
    }

    private static byte[] wrap(byte[] feedbackReport) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(feedbackReport.length + 600);
        out.writeBytes(("From: <staff@hotmail.example>\r\nTo: <abuse@example.org>\r\nSubject: complaint\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n"
                + "--b1\r\nContent-Type: message/feedback-report\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(feedbackReport);
        out.writeBytes(("\r\n--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom: <news@example.org>\r\nTo: <x@example.net>\r\n"
                + "Subject: hi\r\n\r\nbody\r\n--b1--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
