package dev.signedmail.subscriber;

import java.util.Locale;
import java.util.regex.Pattern;

/** Topic names: short lower-case slugs, so they are safe in URLs, headers and templates. */
public final class Topics {
    public static final String DEFAULT = "general";
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private Topics() {
    }

    /** The normalised topic, or null when it is not a valid slug. */
    public static String normalise(String topic) {
        if (topic == null) {
            return null;
        }
        String t = topic.strip().toLowerCase(Locale.ROOT);
        return SLUG.matcher(t).matches() ? t : null;
    }
}
