package dev.signedmail.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Wording} must answer exactly as running its whole pattern would; it only skips the
 * alternatives whose words ({@link RequiredLiterals}) a text lacks.
 */
class WordingTest {

    @Test
    void requiredWordsAreReadFromThePatternSyntax() {
        assertEquals(List.of("mail"), RequiredLiterals.of("mail ?box (?:is )?(?:full|over ?quota)"));
        assertEquals(List.of("user"), RequiredLiterals.of("\\buser\\b"));
        assertEquals(List.of("no such "), RequiredLiterals.of("no such (?:user|mailbox)"));
        // a required group counts when it names longer words than the row beside it
        assertEquals(List.of("disabled", "suspended"), RequiredLiterals.of("is (?:disabled|suspended)"));
        assertEquals(List.of("a.b"), RequiredLiterals.of("a\\.b(?!c)\\s+"));
        assertEquals(List.of("ponse automatique"), RequiredLiterals.of("r[ée]ponse automatique"));
        assertEquals(List.of("exceed"), RequiredLiterals.of("exceed(?:ed)?s?"));
        // nothing every match must contain: no words, the alternative is always run
        assertNull(RequiredLiterals.of("a|\\d+"));
        assertNull(RequiredLiterals.of("(?:x)?y?"));
        assertNull(RequiredLiterals.of("\\Qquoted\\E"));
        assertNull(RequiredLiterals.of("unbalanced)"));
    }

    @Test
    void everyPartOfAnAlternativeIsRequired() {
        // "bad (?:header|content)": "bad " and one of "header" / "content", the longest words first
        assertEquals(List.of(List.of("header", "content"), List.of("bad ")), RequiredLiterals.allOf("bad (?:header|content)"));
        assertEquals(List.of(List.of("mailbox "), List.of("full")), RequiredLiterals.allOf("\\bmailbox (?:is )?full"));
        assertEquals(List.of(), RequiredLiterals.allOf("\\d+(?:x)?"));
        assertNull(RequiredLiterals.allOf("a|b"), "not one alternative");
        assertTrue(new Wording("bad (?:header|content)").in("BAD  content, bad header"));
        assertFalse(new Wording("bad (?:header|content)").in("bad  content, good header"));
    }

    @Test
    void alternativesAreSplitAtTheTopLevelOnly() {
        assertEquals(List.of("a", "b(c|d)", "[|]", "e\\|f"), RequiredLiterals.alternatives("a|b(c|d)|[|]|e\\|f"));
        assertEquals(List.of("(?i)a|b"), RequiredLiterals.alternatives("(?i)a|b"), "flags would stay with the first");
    }

    @Test
    void everyClassifierPatternIsSplitAndGuardedByWords() {
        for (Map.Entry<Reason, Pattern> e : ReasonClassifier.patterns().entrySet()) {
            List<String> alternatives = RequiredLiterals.alternatives(e.getValue().pattern());
            assertTrue(alternatives.size() > 1 || !e.getValue().pattern().contains("|"), e.getKey() + " not split");
            for (String a : alternatives) {
                assertNotNull(RequiredLiterals.of(a), e.getKey() + ": no words for " + a);
            }
        }
    }

    @Test
    void sameAnswerAsTheWholePatternOnTheCorporaAndOnNoise() throws IOException {
        java.util.Set<String> texts = new java.util.LinkedHashSet<>();
        for (String corpus : List.of("sisimai-bounces/emails", "flufl-bounce/emails")) {
            try (Stream<Path> files = Files.walk(TestSupport.corpus(corpus))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    for (String line : text.split("\n")) {
                        if (line.length() > 20 && !line.startsWith("Received:") && !line.startsWith("\t")) {
                            texts.add(line); // the lines that say something, not the routing headers
                        }
                    }
                }
            }
        }
        Random random = new Random(7);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-:;<>@'\n";
        for (int i = 0; i < 3000; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(200); k > 0; k--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(b.toString());
        }
        List<Wording> wordings = new ArrayList<>();
        ReasonClassifier.patterns().values().forEach(p -> wordings.add(new Wording(p.pattern())));
        wordings.add(PlainTextBounceReader.FAILURE_TEXT);
        int found = 0;
        for (String text : texts) {
            for (Wording w : wordings) {
                boolean whole = w.pattern().matcher(text).find();
                assertEquals(whole, w.in(text), () -> w.pattern().pattern() + " on: " + text);
                found += whole ? 1 : 0;
            }
        }
        assertTrue(found > 1000, "the comparison must include texts that match: " + found);
        assertFalse(new Wording("user unknown|no such user").in("USER  unknown"));
        assertTrue(new Wording("user unknown|no such user").in("550 NO SUCH USER here"));
    }
}
