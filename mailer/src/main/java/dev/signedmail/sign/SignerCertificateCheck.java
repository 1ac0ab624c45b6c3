package dev.signedmail.sign;

import dev.signedmail.Problem;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Refuses to start sending with a certificate that receivers would reject anyway.
 *
 * <p>A mail client shows an S/MIME signature as valid only when the certificate names the From
 * address, allows e-mail protection and is in its validity period. Finding that out from
 * subscribers' complaints after 10,000 messages is too late, so we check before the first one.
 */
public final class SignerCertificateCheck {
    static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    private static final int RFC822_NAME = 1;

    private SignerCertificateCheck() {
    }

    /** Throws a {@link Problem} naming {@code source} when {@code cert} cannot sign mail from {@code fromAddress} at {@code now}. */
    public static void check(X509Certificate cert, String fromAddress, Instant now, Path source) {
        check(cert, fromAddress, now, String.valueOf(source));
    }

    /** As above; {@code source} says where the certificate is (a file, or a token and label). */
    public static void check(X509Certificate cert, String fromAddress, Instant now, String source) {
        List<String> emails = emailAddresses(cert, source);
        String from = fromAddress.trim().toLowerCase(Locale.ROOT);
        if (emails.stream().noneMatch(e -> e.toLowerCase(Locale.ROOT).equals(from))) {
            throw new Problem("S/MIME certificate in " + source + " is for " + (emails.isEmpty() ? "no e-mail address" : emails)
                    + ", not the From address " + fromAddress + ": use a certificate whose subjectAltName is email:"
                    + fromAddress + ", or change the From address");
        }
        List<String> eku;
        try {
            eku = cert.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new Problem("S/MIME certificate in " + source + " has an unreadable extendedKeyUsage: ask the CA for a new one", e);
        }
        if (eku == null || !eku.contains(EMAIL_PROTECTION)) {
            throw new Problem("S/MIME certificate in " + source + " is not allowed for e-mail (extendedKeyUsage lacks"
                    + " emailProtection): get an S/MIME certificate issued for e-mail protection");
        }
        boolean[] ku = cert.getKeyUsage();
        if (ku != null && !(ku[0] || ku[1])) {
            throw new Problem("S/MIME certificate in " + source + " does not allow signing (keyUsage lacks"
                    + " digitalSignature): get a signing certificate");
        }
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        if (now.isAfter(notAfter)) {
            throw new Problem("S/MIME certificate in " + source + " expired on " + notAfter
                    + ": renew it with your CA and replace the file");
        }
        if (now.isBefore(notBefore)) {
            throw new Problem("S/MIME certificate in " + source + " is not valid before " + notBefore
                    + ": wait until then or check this machine's clock");
        }
    }

    static List<String> emailAddresses(X509Certificate cert, String source) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(RFC822_NAME).equals(san.get(0)) && san.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new Problem("S/MIME certificate in " + source + " has an unreadable subjectAltName: ask the CA for a new one", e);
        }
        return out;
    }
}
