package dev.signedmail.feedback;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The words a regular expression cannot match without: a set of literal strings such that every
 * match contains at least one of them. {@link ReasonClassifier} checks these with
 * {@code String.contains} before it runs each alternative of its patterns, because running its 30
 * patterns of up to 80 alternatives each over a report cost about 4 microseconds per character (20 ms
 * for each recipient of a 4 KB report), while a text that lacks all of an alternative's words cannot
 * match it.
 *
 * <p>Read from the pattern's syntax, conservatively: only characters that every match must contain,
 * in a row, count (a character made optional by {@code ?}, {@code *} or {@code {0,n}}, a class, a
 * lookaround or an anchor ends the row); each alternative gives its longest row, or the words of a
 * group it cannot match without; an alternative that has none makes the whole answer "unknown"
 * (null), and so does any construct this reader does not know. Letters are compared in lower case,
 * for patterns compiled with {@code CASE_INSENSITIVE}; that flag folds ASCII letters only, and so
 * does {@link #lower}.
 */
final class RequiredLiterals {
    private static final java.util.regex.Pattern INLINE_FLAGS = java.util.regex.Pattern.compile("\\(\\?[a-zA-Z-]+\\)");

    private final String re;
    private int pos;

    private RequiredLiterals(String re) {
        this.re = re;
    }

    /** Lower-case strings at least one of which is in every match of the regex; null when no such set is known. */
    static List<String> of(String regex) {
        try {
            RequiredLiterals reader = new RequiredLiterals(regex);
            Set<String> words = reader.alternation();
            if (reader.pos != regex.length() || words == null || words.contains("")) {
                return null;
            }
            return List.copyOf(words);
        } catch (RuntimeException e) {
            return null; // a construct not known here: no words, the pattern is always run
        }
    }

    /**
     * The top-level alternatives of a regex ("a|b(c|d)" gives "a" and "b(c|d)"): the regex matches
     * somewhere in a text exactly when one of them does. The regex itself when it cannot be read.
     */
    static List<String> alternatives(String regex) {
        if (INLINE_FLAGS.matcher(regex).find()) {
            return List.of(regex); // "(?i)a|b": the flags would stay with the first alternative only
        }
        try {
            RequiredLiterals reader = new RequiredLiterals(regex);
            List<String> out = new ArrayList<>();
            int start = 0;
            while (true) {
                reader.sequence();
                out.add(regex.substring(start, reader.pos));
                if (reader.pos < regex.length() && regex.charAt(reader.pos) == '|') {
                    start = ++reader.pos;
                    continue;
                }
                return reader.pos == regex.length() ? out : List.of(regex);
            }
        } catch (RuntimeException e) {
            return List.of(regex);
        }
    }

    /** ASCII letters in lower case, everything else as it is: the folding of CASE_INSENSITIVE. */
    static String lower(String s) {
        char[] c = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch >= 'A' && ch <= 'Z') {
                if (c == null) {
                    c = s.toCharArray();
                }
                c[i] = (char) (ch + ('a' - 'A'));
            }
        }
        return c == null ? s : new String(c);
    }

    /** Whether the (lower-cased) text contains one of the words. */
    static boolean anyIn(List<String> words, String lowerText) {
        for (String w : words) {
            if (lowerText.contains(w)) {
                return true;
            }
        }
        return false;
    }

    private Set<String> alternation() {
        Set<String> all = new LinkedHashSet<>();
        boolean known = true;
        while (true) {
            Set<String> one = sequence();
            if (one == null) {
                known = false;
            } else {
                all.addAll(one);
            }
            if (pos < re.length() && re.charAt(pos) == '|') {
                pos++;
                continue;
            }
            return known ? all : null;
        }
    }

    /**
     * Every requirement of an alternative that has no "|" at its top level, each a set of words one
     * of which a match contains: a match contains one word of each set. Null when the regex is not
     * such an alternative or cannot be read.
     */
    static List<List<String>> allOf(String alternative) {
        try {
            RequiredLiterals reader = new RequiredLiterals(alternative);
            List<Set<String>> all = reader.requirements();
            if (reader.pos != alternative.length()) {
                return null;
            }
            List<List<String>> out = new ArrayList<>();
            for (Set<String> words : all) {
                out.add(List.copyOf(words));
            }
            // the longest words first: the rarest, so a text that lacks them is turned away soonest
            out.sort((a, b) -> Integer.compare(shortest(new LinkedHashSet<>(b)), shortest(new LinkedHashSet<>(a))));
            return out;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** One alternative: the best of its requirements. */
    private Set<String> sequence() {
        Set<String> best = null;
        for (Set<String> r : requirements()) {
            best = better(best, r);
        }
        return best;
    }

    /** The requirements of one alternative: its rows of literal characters, and the groups it cannot match without. */
    private List<Set<String>> requirements() {
        List<Set<String>> all = new ArrayList<>();
        StringBuilder row = new StringBuilder();
        while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
            Atom atom = atom();
            int min = quantifierMin();
            if (atom.literal >= 0 && min != 0) {
                row.append((char) atom.literal);
                if (min > 0) { // repeated: what follows is not next to it
                    add(all, take(row));
                }
            } else {
                add(all, take(row));
                if (min != 0) {
                    add(all, atom.required);
                }
            }
        }
        add(all, take(row));
        return all;
    }

    private static void add(List<Set<String>> all, Set<String> requirement) {
        if (requirement != null) {
            all.add(requirement);
        }
    }

    private static Set<String> take(StringBuilder row) {
        if (row.length() == 0) {
            return null;
        }
        Set<String> one = Set.of(lower(row.toString()));
        row.setLength(0);
        return one;
    }

    /** The more selective requirement: the longer shortest word, then the fewer words. */
    private static Set<String> better(Set<String> a, Set<String> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        int la = shortest(a);
        int lb = shortest(b);
        if (la != lb) {
            return la > lb ? a : b;
        }
        return b.size() < a.size() ? b : a;
    }

    private static int shortest(Set<String> words) {
        int min = Integer.MAX_VALUE;
        for (String w : words) {
            min = Math.min(min, w.length());
        }
        return min;
    }

    /** A literal character (literal >= 0), or something else with the words it requires (or null). */
    private record Atom(int literal, Set<String> required) {
        static final Atom OTHER = new Atom(-1, null);
    }

    private Atom atom() {
        char c = re.charAt(pos++);
        switch (c) {
            case '(':
                return group();
            case '[':
                skipClass();
                return Atom.OTHER;
            case '\\':
                return escape();
            case '.', '^', '$':
                return Atom.OTHER;
            case '*', '+', '?', '{', '}', ']':
                throw new IllegalArgumentException("unexpected " + c + " at " + (pos - 1));
            default:
                return new Atom(c, null);
        }
    }

    private Atom group() {
        boolean required = true;
        if (re.startsWith("?", pos)) {
            pos++;
            char k = re.charAt(pos);
            if (k == ':' || k == '>') {
                pos++;
            } else if (k == '=' || k == '!') {
                pos++;
                required = false; // a lookahead consumes nothing
            } else if (k == '<' && (re.charAt(pos + 1) == '=' || re.charAt(pos + 1) == '!')) {
                pos += 2;
                required = false; // a lookbehind neither
            } else if (k == '<') {
                pos = re.indexOf('>', pos) + 1; // named group
                if (pos == 0) {
                    throw new IllegalArgumentException("unterminated group name");
                }
            } else {
                while (Character.isLetter(re.charAt(pos)) || re.charAt(pos) == '-') {
                    pos++; // inline flags
                }
                if (re.charAt(pos) == ')') {
                    pos++;
                    return Atom.OTHER; // (?i): flags only, nothing matched
                }
                if (re.charAt(pos) != ':') {
                    throw new IllegalArgumentException("unknown group at " + pos);
                }
                pos++;
            }
        }
        Set<String> inner = alternation();
        if (pos >= re.length() || re.charAt(pos) != ')') {
            throw new IllegalArgumentException("unclosed group");
        }
        pos++;
        return new Atom(-1, required ? inner : null);
    }

    private void skipClass() {
        int depth = 1;
        if (re.charAt(pos) == '^') {
            pos++;
        }
        while (depth > 0) {
            char c = re.charAt(pos++);
            if (c == '\\') {
                pos++;
            } else if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
        }
    }

    private Atom escape() {
        char c = re.charAt(pos++);
        if (!Character.isLetterOrDigit(c)) {
            return new Atom(c, null); // \. \( \- ...: the character itself
        }
        switch (c) {
            case 'Q', 'E':
                throw new IllegalArgumentException("quoting is not read here");
            case 'p', 'P', 'x', 'N':
                if (re.charAt(pos) == '{') {
                    pos = re.indexOf('}', pos) + 1;
                    if (pos == 0) {
                        throw new IllegalArgumentException("unterminated \\" + c);
                    }
                } else if (c == 'x') {
                    pos += 2;
                } else {
                    pos++; // \pL
                }
                return Atom.OTHER;
            case 'u':
                pos += 4;
                return Atom.OTHER;
            case 'c':
                pos++;
                return Atom.OTHER;
            case 'k':
                pos = re.indexOf('>', pos) + 1;
                return Atom.OTHER;
            default:
                while (Character.isDigit(c) && pos < re.length() && Character.isDigit(re.charAt(pos))) {
                    pos++; // back reference or octal
                }
                return Atom.OTHER; // \s \d \w \b \A ...: a class or an anchor
        }
    }

    /** The least count the quantifier after an atom allows: 1 with none, -1 meaning "1, not repeated". */
    private int quantifierMin() {
        if (pos >= re.length()) {
            return -1;
        }
        int min;
        char c = re.charAt(pos);
        if (c == '?' || c == '*') {
            pos++;
            min = 0;
        } else if (c == '+') {
            pos++;
            min = 1;
        } else if (c == '{') {
            int close = re.indexOf('}', pos);
            String body = re.substring(pos + 1, close);
            int comma = body.indexOf(',');
            min = Integer.parseInt((comma < 0 ? body : body.substring(0, comma)).strip());
            pos = close + 1;
        } else {
            return -1;
        }
        if (pos < re.length() && (re.charAt(pos) == '?' || re.charAt(pos) == '+')) {
            pos++; // lazy or possessive: the same characters
        }
        return min;
    }
}
