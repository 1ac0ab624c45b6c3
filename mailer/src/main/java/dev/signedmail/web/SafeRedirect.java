package dev.signedmail.web;

import java.util.regex.Pattern;

/**
 * Where the login page may send the browser afterwards: only press-office paths of a fixed shape,
 * relative to this site. Anything else (an absolute URL, {@code //host}, a backslash, an encoded
 * trick) falls back to the release list, so a crafted login link cannot forward to a look-alike site.
 */
final class SafeRedirect {
    static final String HOME = "/office/releases";
    private static final Pattern ALLOWED = Pattern.compile("/office/(releases(/[0-9]{1,18}(/review|/edit)?)?|new|audit)");

    private SafeRedirect() {
    }

    static String target(String next) {
        return next != null && ALLOWED.matcher(next).matches() ? next : HOME;
    }
}
