package dev.signedmail.verify;

import dev.signedmail.verify.SmimeResult.HeaderProtection;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeUtility;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * RFC 9788 header protection, verifier side: when the signed MIME part carries its own Subject,
 * From, To, … (the "protected" header fields), each must equal the same field outside, because
 * only the inside ones are covered by the S/MIME signature. A difference means the outer header
 * was changed after signing (or the sender put something else outside, which is no better).
 *
 * <p>Fields are compared by meaning, not bytes: RFC 2047 words decoded and white space collapsed;
 * addresses compared as (display name, address) lists with the address case-insensitive; dates as
 * instants. A field missing outside while present inside counts as changed.
 */
final class HeaderProtectionCheck {
    /** RFC 9788 §2.1.1 (the "hcp_baseline" set), in the order we report them. */
    static final List<String> PROTECTED = List.of("Subject", "From", "To", "Cc", "Reply-To", "Date", "Message-ID",
            "In-Reply-To", "References", "Keywords");
    private static final List<String> ADDRESS_FIELDS = List.of("from", "to", "cc", "reply-to");

    private HeaderProtectionCheck() {
    }

    static HeaderProtection check(RawMessage outer, RawMessage signedPart) {
        String hp = null;
        String ct = signedPart.first("Content-Type");
        if (ct != null) {
            try {
                hp = new ContentType(ct).getParameter("hp");
            } catch (Exception e) {
                // no hp parameter
            }
        }
        boolean present = false;
        List<String> mismatches = new ArrayList<>();
        for (String name : PROTECTED) {
            List<RawMessage.Field> inner = signedPart.all(name);
            if (inner.isEmpty()) {
                continue;
            }
            present = true;
            List<RawMessage.Field> out = outer.all(name);
            if (out.isEmpty()) {
                mismatches.add("the " + name + " header was removed after signing");
            } else if (!same(name, inner.get(0).value(), out.get(0).value())) {
                mismatches.add("the " + name + " was changed after signing (signed: \"" + decoded(inner.get(0).value())
                        + "\", shown: \"" + decoded(out.get(0).value()) + "\")");
            }
        }
        return new HeaderProtection(present, hp, List.copyOf(mismatches));
    }

    private static boolean same(String name, String inner, String outer) {
        String n = name.toLowerCase(Locale.ROOT);
        if (ADDRESS_FIELDS.contains(n)) {
            List<String> a = addresses(inner);
            List<String> b = addresses(outer);
            if (a != null && b != null) {
                return a.equals(b);
            }
        } else if (n.equals("date")) {
            Date a = date(inner);
            Date b = date(outer);
            if (a != null && b != null) {
                return a.equals(b);
            }
        }
        return decoded(inner).equals(decoded(outer));
    }

    private static List<String> addresses(String value) {
        try {
            List<String> out = new ArrayList<>();
            for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                String personal = a.getPersonal() == null ? "" : a.getPersonal().strip().replaceAll("\\s+", " ");
                out.add(personal + " <" + a.getAddress().toLowerCase(Locale.ROOT) + ">");
            }
            return out;
        } catch (Exception e) {
            return null;
        }
    }

    private static Date date(String value) {
        try {
            return new MailDateFormat().parse(value, new ParsePosition(0));
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String decoded(String value) {
        String v;
        try {
            v = MimeUtility.decodeText(value);
        } catch (Exception e) {
            v = value;
        }
        return v.replaceAll("\\s+", " ").strip();
    }
}
