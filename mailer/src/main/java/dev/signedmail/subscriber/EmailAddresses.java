package dev.signedmail.subscriber;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks and normalises subscriber addresses. The result is the form we send to and the key
 * duplicates are merged on: lower case, with the domain in ASCII (IDNA), so
 * {@code Anna@Bücher.example} becomes {@code anna@xn--bcher-kva.example}. A non-ASCII local part is refused, because delivering it
 * needs SMTPUTF8 end to end, which we cannot promise; internationalised domains are fine.
 */
public final class EmailAddresses {

    // RFC 5322 dot-atom text for the local part (quoted local parts are refused: nobody subscribes
    // with one, and they are a favourite of header-injection attempts).
    private static final Pattern ATEXT = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private EmailAddresses() {
    }

    /** A rejected address and why, in words an operator can act on. */
    public static final class Invalid extends Exception {
        public Invalid(String reason) {
            super(reason);
        }
    }

    public static String normalise(String raw) throws Invalid {
        if (raw == null || raw.isBlank()) {
            throw new Invalid("the address is empty");
        }
        String s = raw.strip();
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || Character.isWhitespace(c))) {
            throw new Invalid("the address contains spaces or control characters");
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1 || s.indexOf('@') != at) {
            throw new Invalid("an address needs exactly one @ with text on both sides");
        }
        String local = s.substring(0, at);
        String domain = s.substring(at + 1);
        if (!local.chars().allMatch(c -> c < 0x80)) {
            throw new Invalid("the part before @ has non-ASCII letters (needs SMTPUTF8, which is not supported)");
        }
        if (local.length() > 64) {
            throw new Invalid("the part before @ is longer than 64 characters");
        }
        for (String atom : local.split("\\.", -1)) {
            if (!ATEXT.matcher(atom).matches()) {
                throw new Invalid("the part before @ has an empty part between dots or a character that is not allowed");
            }
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new Invalid("the domain '" + domain + "' is not a valid (internationalised) domain name");
        }
        if (ascii.endsWith(".")) {
            ascii = ascii.substring(0, ascii.length() - 1);
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            throw new Invalid("the domain '" + domain + "' has no dot (e.g. example.org)");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw new Invalid("the domain '" + domain + "' has an invalid part '" + label + "'");
            }
        }
        if (labels[labels.length - 1].matches("[0-9]+")) {
            throw new Invalid("the domain '" + domain + "' ends in a number; addresses need a domain name");
        }
        // Lower-case the local part too: RFC 5321 lets a server treat it case-sensitively, but no
        // mailbox provider does, and people expect Anna@… and anna@… to be one subscriber.
        String address = local.toLowerCase(Locale.ROOT) + "@" + ascii;
        if (address.length() > 254 || ascii.length() > 253) {
            throw new Invalid("the address is longer than 254 characters");
        }
        return address;
    }

    /** A display name made safe to store: control characters (CR, LF, tabs…) become spaces. */
    public static String cleanName(String name) {
        if (name == null) {
            return null;
        }
        String s = name.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip().replaceAll(" {2,}", " ");
        if (s.isEmpty()) {
            return null;
        }
        return s.length() > 200 ? s.substring(0, 200) : s;
    }
}
