package dev.signedmail.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds e-mail addresses in header values and free text (dot-atom local parts, dotted domains).
 *
 * <p>The dotted repetitions are bounded by the RFC 5321 4.5.3.1 limits (local part at most 64
 * octets, so at most 32 dot-separated atoms; domain at most 255 octets, so at most 127 labels).
 * Unbounded, each repetition of such a group is one level of recursion in java.util.regex: a
 * hostile "a.a.a.a...@" of some ten thousand atoms overflowed the stack and made the bounce unreadable.
 */
final class Addresses {
    static final Pattern ADDRESS = Pattern.compile(
            "(?<![\\w.!#$%&'*+/=?^`{|}~-])(\"[^\"\\s<>@]{1,64}\"|[\\w!#$%&'*+/=?^`{|}~-]+(?:\\.[\\w!#$%&'*+/=?^`{|}~-]+){0,31})@"
                    + "((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.){1,126}[a-zA-Z][a-zA-Z0-9-]{0,62}|\\[[0-9.]+\\])(?![\\w-]|\\.[a-zA-Z0-9])");

    private Addresses() {
    }

    static List<String> all(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.indexOf('@') < 0) {
            return out; // most lines name nobody: no need to try the pattern at each of their positions
        }
        Matcher m = ADDRESS.matcher(text);
        while (m.find()) {
            out.add(m.group(1) + "@" + m.group(2));
        }
        return out;
    }

    static String first(String text) {
        List<String> all = all(text);
        return all.isEmpty() ? "" : all.get(0);
    }

    static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    /** The local part of system senders of bounces, which are never the failed recipient. */
    static boolean isDaemon(String address) {
        String local = address.substring(0, Math.max(0, address.indexOf('@'))).toLowerCase(Locale.ROOT);
        return DAEMON_LOCAL_PARTS.contains(local);
    }

    private static final java.util.Set<String> DAEMON_LOCAL_PARTS = java.util.Set.of("mailer-daemon", "mailer_daemon",
            "maildaemon", "postmaster", "mail-daemon", "mdaemon", "mail.daemon", "mailerdaemon", "double-bounce");
}
