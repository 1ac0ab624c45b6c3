package dev.signedmail.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every case of smime-vectors/expected.json (RFC 4134). "verify" there means the signature math
 * verifies (bc-java's Rfc4134Test); under current mail-client policy the SHA-1 signatures must then
 * come out as bad, naming SHA-1. The EnvelopedData cases ("decrypt") must be recognised as
 * encrypted, not as signed or damaged: a subscriber-side verifier has no key to decrypt them.
 */
class SmimeCorpusTest {

    @Test
    void agreesWithEveryExpectedResult() throws Exception {
        List<X509Certificate> anchors = new ArrayList<>();
        anchors.addAll(SmimeVerifier.readCertificates(Corpora.corpus("smime-vectors/rfc4134/CarlRSASelf.cer")));
        anchors.addAll(SmimeVerifier.readCertificates(Corpora.corpus("smime-vectors/rfc4134/CarlDSSSelf.cer")));
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        SmimeVerifier smime = new SmimeVerifier(anchors, List.of(), at);
        MessageVerifier messages = new MessageVerifier(smime, new DkimVerifier(KeyRecords.of(java.util.Map.of()), at));
        JsonNode root = new ObjectMapper().readTree(Corpora.corpus("smime-vectors/expected.json").toFile());
        int cases = 0;
        int agreed = 0;
        List<String> disagreements = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format("%n%-18s %-24s %-50s %s%n", "file", "expected", "ours", "ok"));
        for (JsonNode c : root.get("rfc4134").get("cases")) {
            String file = c.get("file").asText();
            String expected = c.get("expected").asText();
            byte[] bytes = Files.readAllBytes(Corpora.corpus("smime-vectors/" + file));
            SmimeResult r;
            String verdict = "";
            if (file.endsWith(".eml")) {
                VerificationReport report = messages.verify(bytes);
                r = report.smime();
                verdict = " -> " + report.verdict().label();
            } else {
                byte[] detached = file.endsWith("4.3.bin") ? Files.readAllBytes(Corpora.corpus("smime-vectors/rfc4134/ExContent.bin")) : null;
                r = smime.verifyCms(bytes, detached, null);
            }
            boolean ok;
            String want;
            if (expected.equals("verify")) {
                want = "math ok, bad (SHA-1)";
                ok = r.signatureValid() && r.status() == SmimeResult.Status.BAD && r.reason().contains("SHA-1")
                        && (verdict.isEmpty() || verdict.endsWith("not-authentic"));
            } else {
                want = "none (encrypted)";
                ok = r.status() == SmimeResult.Status.NONE && r.reason().contains("encrypted")
                        && (verdict.isEmpty() || verdict.endsWith("unknown"));
            }
            String ours = (r.signatureValid() ? "math ok, " : "") + r.status().label()
                    + (r.reason().contains("SHA-1") ? " (SHA-1)" : r.reason().contains("encrypted") ? " (encrypted)" : "") + verdict;
            cases++;
            agreed += ok ? 1 : 0;
            table.append(String.format("%-18s %-24s %-50s %s%n", file, want, ours, ok ? "yes" : "NO"));
            if (!ok) {
                disagreements.add(file + ": " + r);
            }
        }
        table.append(String.format("S/MIME corpus: %d/%d cases agree%n", agreed, cases));
        System.out.println(table);
        assertEquals(List.of(), disagreements);
    }
}
