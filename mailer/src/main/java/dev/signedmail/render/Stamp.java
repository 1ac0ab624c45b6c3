package dev.signedmail.render;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.unbescape.html.HtmlEscape;

/**
 * A release rendered once for every subscriber of one kind (with a name, or without), with
 * markers where the per-subscriber values go; each message then only fills them in. Running the
 * templates per subscriber cost more than a signature; filling in costs a string copy.
 *
 * <p>Only used when it is provably the same as rendering: while the markers are rendered, every
 * expression the templates evaluate is watched, and one that does more with a per-subscriber
 * value than print it (or test the name for null, which is why named and unnamed subscribers get
 * a stamp each) rules the stamp out. Then two real renders with awkward values (quotes,
 * ampersands, angle brackets, non-ASCII) must equal the filled-in stamp byte for byte, which also
 * proves that the escaping here is the templates' own. Otherwise every message is rendered in full.
 */
final class Stamp {
    /** What varies per subscriber (the topic is the release's, so it is fixed within a stamp). */
    private enum Field { NAME, EMAIL, UNSUBSCRIBE, PREFERENCES }

    /** Per-subscriber expressions that are plain output or the name's null test. */
    private static final Set<String> PLAIN = Set.of("subscriber.name", "subscriber.email", "links.unsubscribe",
            "links.preferences", "subscriber.name!=null", "subscriber.name==null");
    /** A use of subscriber or links other than their fixed parts (topic, howToVerify, release). */
    private static final Pattern PERSONAL = Pattern.compile(
            "(?<![.#@\\w])(subscriber|links)\\b(?!\\s*\\.\\s*(topic|howToVerify|release)\\b)");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String subject;
    private final List<Object> html;
    private final List<Object> text;

    private Stamp(String subject, List<Object> html, List<Object> text) {
        this.subject = subject;
        this.html = html;
        this.text = text;
    }

    /**
     * The stamp for one release, topic and kind of subscriber, or empty when the templates use a
     * per-subscriber value in a way that filling in cannot reproduce.
     *
     * @param render a full render, as {@link Renderer} does it for one subscriber
     */
    static Optional<Stamp> make(Function<Personalisation, RenderedRelease> render, String topic, boolean named) {
        String id = HexFormat.of().formatHex(bytes());
        String[] markers = new String[Field.values().length];
        for (Field f : Field.values()) {
            markers[f.ordinal()] = "stamp" + id + "x" + f.ordinal() + "x"; // letters and digits: no escaping changes it
        }
        Personalisation marked = new Personalisation(markers[Field.EMAIL.ordinal()], named ? markers[Field.NAME.ordinal()] : null,
                topic, markers[Field.UNSUBSCRIBE.ordinal()], markers[Field.PREFERENCES.ordinal()]);
        List<String> evaluated = new ArrayList<>();
        RenderedRelease out;
        StrictVariableEvaluator.OBSERVER.set(evaluated::add);
        try {
            out = render.apply(marked);
        } finally {
            StrictVariableEvaluator.OBSERVER.remove();
        }
        for (String expression : evaluated) {
            if (PERSONAL.matcher(expression).find() && !PLAIN.contains(expression.replaceAll("\\s+", ""))) {
                return Optional.empty();
            }
        }
        Pattern marker = Pattern.compile("stamp" + id + "x(\\d)x");
        Stamp stamp = new Stamp(out.subject(), split(out.html(), marker), split(out.text(), marker));
        for (Personalisation probe : probes(topic, named)) {
            if (!render.apply(probe).equals(stamp.fill(probe))) {
                return Optional.empty();
            }
        }
        return Optional.of(stamp);
    }

    private static byte[] bytes() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return b;
    }

    private static List<Personalisation> probes(String topic, boolean named) {
        return List.of(
                new Personalisation("o'brien+probe@example.org", named ? "Zoë O'Brien & <Co> \"Ltd\"" : null, topic,
                        "https://probe.example/unsubscribe/A-b_1?x=1&y=<2>", "https://probe.example/preferences/A-b_1?'q'"),
                new Personalisation("b@c.example", named ? "A" : null, topic, "https://p.example/u", "https://p.example/p"));
    }

    private static List<Object> split(String rendered, Pattern marker) {
        List<Object> parts = new ArrayList<>();
        Matcher m = marker.matcher(rendered);
        int last = 0;
        while (m.find()) {
            parts.add(rendered.substring(last, m.start()));
            parts.add(Field.values()[Integer.parseInt(m.group(1))]);
            last = m.end();
        }
        parts.add(rendered.substring(last));
        return List.copyOf(parts);
    }

    /** The message for {@code who}, exactly as a full render would make it. */
    RenderedRelease fill(Personalisation who) {
        return new RenderedRelease(subject, join(text, who, false), join(html, who, true));
    }

    private static String join(List<Object> parts, Personalisation who, boolean htmlEscaped) {
        StringBuilder b = new StringBuilder(parts.size() * 64);
        for (Object part : parts) {
            if (part instanceof String s) {
                b.append(s);
            } else {
                String value = switch ((Field) part) {
                    case NAME -> who.name();
                    case EMAIL -> who.email();
                    case UNSUBSCRIBE -> who.unsubscribeUrl();
                    case PREFERENCES -> who.preferencesUrl();
                };
                b.append(htmlEscaped ? HtmlEscape.escapeHtml4Xml(value) : value);
            }
        }
        return b.toString();
    }
}
