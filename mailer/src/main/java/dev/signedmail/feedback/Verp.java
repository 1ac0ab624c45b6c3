package dev.signedmail.feedback;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the token of a VERP envelope sender ({@code LOCAL+TOKEN@domain}, LOCAL = "bounces" by
 * default) in the places a bounce carries it: its own To / Delivered-To / X-Original-To /
 * Return-Path headers, or the headers and text of the returned original. Only extracts; whether
 * the token is genuine is decided where it is used.
 */
final class Verp {
    private static final String[] HEADERS = {"to", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to",
            "return-path", "x-failed-recipients", "cc"};

    private final Pattern pattern;
    /** What every match contains, in lower case: texts without it are not searched. */
    private final String mark;

    Verp(String localPart) {
        this.mark = RequiredLiterals.lower(localPart) + "+";
        this.pattern = Pattern.compile("(?i)(?<![\\w.+-])" + Pattern.quote(localPart) + "\\+([A-Za-z0-9._=~-]{1,200})@[A-Za-z0-9.-]+");
    }

    Optional<String> find(MailView v) {
        for (String h : HEADERS) {
            for (String value : v.headers.all(h)) {
                Optional<String> t = in(value);
                if (t.isPresent()) {
                    return t;
                }
            }
        }
        for (String h : new String[] {"return-path", "from", "sender", "errors-to"}) {
            Optional<String> t = in(v.original.get(h));
            if (t.isPresent()) {
                return t;
            }
        }
        Optional<String> t = in(v.reportText);
        return t.isPresent() ? t : in(v.originalText);
    }

    private Optional<String> in(String text) {
        if (!RequiredLiterals.lower(text).contains(mark)) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
