package dev.signedmail.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A case-insensitive alternation of phrasings ("user unknown|no such user|..."), asked only whether
 * it occurs in a text. The answer is that of {@code Pattern.compile(regex, CASE_INSENSITIVE).matcher(text).find()},
 * worked out alternative by alternative, and an alternative is run only when the text contains, for
 * each of its parts, one of the words that part cannot match without ({@link RequiredLiterals}):
 * "bad (?:header|content)" only in texts that have "bad " and "header" or "content". java.util.regex tries every
 * alternative at every position of the text, which for the classifier's patterns cost about 4
 * microseconds per character and recipient; most texts contain the words of few alternatives.
 */
final class Wording {
    /**
     * @param words for each part the alternative cannot match without, the words one of which that
     *              part contains; all must be in the text. Empty when none are known: then the
     *              alternative is always run.
     */
    private record Alternative(Pattern pattern, List<List<String>> words) {
        boolean possibleIn(String lower) {
            for (List<String> anyOf : words) {
                if (!RequiredLiterals.anyIn(anyOf, lower)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Pattern whole;
    private final List<Alternative> alternatives;

    Wording(String regex) {
        this.whole = Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
        List<Alternative> list = new ArrayList<>();
        for (String alternative : RequiredLiterals.alternatives(regex)) {
            List<List<String>> words = RequiredLiterals.allOf(alternative);
            if (words == null) { // an alternative with a "|" of its own at the top (after inline flags)
                List<String> anyOf = RequiredLiterals.of(alternative);
                words = anyOf == null ? List.of() : List.of(anyOf);
            }
            list.add(new Alternative(Pattern.compile(alternative, Pattern.CASE_INSENSITIVE), words));
        }
        this.alternatives = List.copyOf(list);
    }

    /** The regex as one pattern: what {@link #in} answers for. */
    Pattern pattern() {
        return whole;
    }

    boolean in(String text) {
        return in(text, RequiredLiterals.lower(text));
    }

    /** @param lower the text with its ASCII letters in lower case ({@link RequiredLiterals#lower}) */
    boolean in(String text, String lower) {
        for (Alternative a : alternatives) {
            if (a.possibleIn(lower) && a.pattern().matcher(text).find()) {
                return true;
            }
        }
        return false;
    }
}
