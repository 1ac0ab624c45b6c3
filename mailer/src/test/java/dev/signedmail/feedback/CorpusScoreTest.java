package dev.signedmail.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signedmail.TestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Runs the parser over every shared corpus, prints a score table and asserts the targets. Mismatches
 * are written to target/feedback-corpus-mismatches.txt for whoever tunes the heuristics.
 */
class CorpusScoreTest {
    private static final Path CORPORA = TestSupport.projectRoot().resolve("../shared/corpora").normalize();
    private final BounceParser parser = new BounceParser();
    private final Map<Path, ParsedMail> cache = new HashMap<>();
    private final List<String> mismatches = new ArrayList<>();

    private ParsedMail parse(Path file) throws IOException {
        ParsedMail cached = cache.get(file);
        if (cached == null) {
            cached = parser.parse(Files.readAllBytes(file));
            cache.put(file, cached);
        }
        return cached;
    }

    private static String kindOf(String expectedBounce) {
        return switch (expectedBounce) {
            case "feedback" -> "complaint";
            case "vacation" -> "auto-reply";
            default -> expectedBounce;
        };
    }

    private static Finding find(ParsedMail m, String recipient) {
        for (Finding f : m.findings()) {
            if (f.recipient().equalsIgnoreCase(recipient)) {
                return f;
            }
        }
        return null;
    }

    @Test
    void scoresEveryCorpus() throws IOException {
        StringBuilder table = new StringBuilder("\nfeedback parser corpus scores\n");
        double[] sisimai = sisimai(table);
        double[] flufl = flufl(table);
        double[] arf = arf(table);
        System.out.println(table);
        Path out = Path.of("target/feedback-corpus-mismatches.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, mismatches, StandardCharsets.UTF_8);

        // Project targets (issue 3): recipients >= 0.98 (met: 0.992) and kind >= 0.95 (met: 0.951). The
        // remaining kind misses are rows where Sisimai's per-MTA / per-provider modules override its own
        // general rules (e.g. the same "550 x... No such user" is userunknown for one provider, filtered for
        // another); they are left alone rather than fitted. Other floors sit just under the measured value.
        assertTrue(sisimai[0] >= 0.98, "sisimai recipients found " + sisimai[0]);
        assertTrue(sisimai[1] >= 0.95, "sisimai kind right " + sisimai[1]);
        assertTrue(sisimai[3] >= 0.65, "sisimai reason right " + sisimai[3]);
        assertTrue(sisimai[4] >= 0.865, "sisimai status equal " + sisimai[4]);
        assertTrue(sisimai[5] >= 0.95, "sisimai reply code equal " + sisimai[5]);
        assertEquals(1.0, sisimai[2], "is-not-bounce files must give kind none");
        assertTrue(flufl[0] >= 0.81, "flufl files with the exact expected sets " + flufl[0]);
        assertEquals(1.0, arf[0], "ARF feedback type and recipient");
    }

    /** Returns {recipient recall, kind, not-bounce, reason, status, reply-code accuracy} on recipient_confidence=high rows. */
    private double[] sisimai(StringBuilder table) throws IOException {
        Path dir = CORPORA.resolve("sisimai-bounces");
        List<String> rows = Files.readAllLines(dir.resolve("expected.tsv"), StandardCharsets.UTF_8);
        String[] head = rows.get(0).split("\t", -1);
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < head.length; i++) {
            col.put(head[i], i);
        }
        int high = 0, found = 0, kindOk = 0, reasonOk = 0, statusOk = 0, replyOk = 0, replyExpected = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] c = row.split("\t", -1);
            if (!c[col.get("recipient_confidence")].equals("high")) {
                continue;
            }
            high++;
            String file = c[col.get("file")];
            String rcpt = unquote(c[col.get("recipient")]);
            ParsedMail m = parse(dir.resolve(file));
            Finding f = find(m, rcpt);
            String expKind = kindOf(c[col.get("bounce")]);
            String expReason = c[col.get("reason")];
            String expStatus = c[col.get("status")];
            String expReply = c[col.get("replycode")];
            if (f == null) {
                mismatches.add("MISSING\t" + file + "\t" + rcpt + "\tgot " + m.findings().stream().map(Finding::recipient).toList()
                        + " format=" + m.format());
                continue;
            }
            found++;
            boolean k = f.kind().label().equals(expKind);
            boolean r = reasonLabel(f.reason()).equals(expReason) || (expReason.equals("speeding") && f.reason() == Reason.SPEEDING);
            kindOk += k ? 1 : 0;
            reasonOk += r ? 1 : 0;
            statusOk += f.status().equals(expStatus) ? 1 : 0;
            if (!expReply.isEmpty()) {
                replyExpected++;
                replyOk += f.replyCode().equals(expReply) ? 1 : 0;
            }
            if (!k || !r) {
                mismatches.add((k ? "REASON" : "KIND") + "\t" + file + "\t" + rcpt + "\texpected " + expKind + "/" + expReason + " "
                        + expStatus + " " + expReply + "\tgot " + f.kind().label() + "/" + f.reason().label() + " " + f.status()
                        + " " + f.replyCode() + "\t" + f.diagnostic());
            }
        }
        int notBounce = 0, notBounceOk = 0;
        for (String name : List.of("is-not-bounce-01.eml", "is-not-bounce-02.eml")) {
            notBounce++;
            ParsedMail m = parse(dir.resolve("emails").resolve(name));
            if (m.findings().isEmpty()) {
                notBounceOk++;
            } else {
                mismatches.add("NOT-BOUNCE\t" + name + "\t" + m.findings());
            }
        }
        double[] res = {found / (double) high, kindOk / (double) high, notBounceOk / (double) notBounce,
                reasonOk / (double) high, statusOk / (double) high, replyOk / (double) Math.max(1, replyExpected)};
        table.append(String.format(Locale.ROOT, "%-16s %-40s %s%n", "corpus", "measure", "score"));
        line(table, "sisimai", "recipients found (high-confidence rows)", found, high);
        line(table, "sisimai", "kind right", kindOk, high);
        line(table, "sisimai", "reason right", reasonOk, high);
        line(table, "sisimai", "status code equal", statusOk, high);
        line(table, "sisimai", "reply code equal (rows that have one)", replyOk, replyExpected);
        line(table, "sisimai", "is-not-bounce -> none", notBounceOk, notBounce);
        return res;
    }

    /** expected.tsv quotes a field holding '"' CSV-style ("""a""@b" is "a"@b). */
    private static String unquote(String field) {
        if (field.length() > 1 && field.startsWith("\"") && field.endsWith("\"")) {
            return field.substring(1, field.length() - 1).replace("\"\"", "\"");
        }
        return field;
    }

    private static String reasonLabel(Reason r) {
        return r.label();
    }

    /** Returns {share of files with exactly the expected permanent and temporary sets}. */
    private double[] flufl(StringBuilder table) throws IOException {
        Path dir = CORPORA.resolve("flufl-bounce");
        JsonNode root = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        int files = 0, exact = 0, expectedAddr = 0, foundAddr = 0;
        for (JsonNode f : root.get("files")) {
            if (!f.get("has_detector_expectation").asBoolean()) {
                continue;
            }
            files++;
            Set<String> expPerm = lowerSet(f.get("expected_permanent_union"));
            Set<String> expTemp = lowerSet(f.get("expected_temporary_union"));
            ParsedMail m = parse(dir.resolve(f.get("file").asText()));
            Set<String> perm = new TreeSet<>();
            Set<String> temp = new TreeSet<>();
            for (Finding x : m.findings()) {
                if (x.kind() == Kind.HARD || x.kind() == Kind.SOFT) {
                    boolean temporary = x.status().startsWith("4") || x.status().isEmpty() && x.replyCode().startsWith("4");
                    (temporary ? temp : perm).add(x.recipient().toLowerCase(Locale.ROOT));
                }
            }
            Set<String> all = new TreeSet<>(perm);
            all.addAll(temp);
            for (String a : expPerm) {
                expectedAddr++;
                foundAddr += all.contains(a) ? 1 : 0;
            }
            for (String a : expTemp) {
                expectedAddr++;
                foundAddr += all.contains(a) ? 1 : 0;
            }
            if (perm.equals(new TreeSet<>(expPerm)) && temp.equals(new TreeSet<>(expTemp))) {
                exact++;
            } else {
                mismatches.add("FLUFL\t" + f.get("file").asText() + "\texpected perm " + expPerm + " temp " + expTemp
                        + "\tgot perm " + perm + " temp " + temp + " format=" + m.format());
            }
        }
        line(table, "flufl", "files with exact perm/temp address sets", exact, files);
        line(table, "flufl", "expected addresses found (any kind)", foundAddr, expectedAddr);
        return new double[] {exact / (double) files};
    }

    private static Set<String> lowerSet(JsonNode arr) {
        Set<String> s = new LinkedHashSet<>();
        arr.forEach(n -> s.add(n.asText().toLowerCase(Locale.ROOT)));
        return s;
    }

    /** Returns {share of ARF cases with right feedback type and recipients}. */
    private double[] arf(StringBuilder table) throws IOException {
        Path dir = CORPORA.resolve("arf-reports");
        JsonNode root = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        int cases = 0, ok = 0;
        for (JsonNode c : root.get("cases")) {
            cases++;
            ParsedMail m = parse(dir.resolve(c.get("file").asText()).normalize());
            String expType = c.get("feedback_type").asText().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            Set<String> expRcpt = new TreeSet<>();
            if (c.has("complained_recipients")) {
                c.get("complained_recipients").forEach(n -> expRcpt.add(n.asText().toLowerCase(Locale.ROOT)));
            } else if (c.hasNonNull("original_rcpt_to")) {
                expRcpt.add(c.get("original_rcpt_to").asText().replaceAll("[<>]", "").toLowerCase(Locale.ROOT));
            }
            Set<String> got = new TreeSet<>();
            boolean typeOk = !m.findings().isEmpty();
            for (Finding f : m.findings()) {
                typeOk &= f.kind() == Kind.COMPLAINT && f.feedbackType().equals(expType);
                got.add(f.recipient().toLowerCase(Locale.ROOT));
            }
            // a case with no expected recipient only needs the type; redacted recipients give ""
            boolean rcptOk = expRcpt.isEmpty() || expRcpt.equals(Set.of("")) || got.equals(expRcpt);
            if (typeOk && rcptOk) {
                ok++;
            } else {
                mismatches.add("ARF\t" + c.get("file").asText() + "\texpected " + expType + " " + expRcpt + "\tgot " + m.findings());
            }
        }
        line(table, "arf", "feedback type and recipients right", ok, cases);
        return new double[] {ok / (double) cases};
    }

    private static void line(StringBuilder t, String corpus, String measure, int ok, int of) {
        t.append(String.format(Locale.ROOT, "%-16s %-40s %4d/%-4d = %5.1f%%%n", corpus, measure, ok, of, 100.0 * ok / Math.max(1, of)));
    }
}
