package dev.signedmail.verify;

import java.util.Locale;

/**
 * The outcome of one DKIM-Signature header.
 *
 * @param domain the d= tag (null when the header could not be read)
 * @param selector the s= tag
 * @param algorithm the a= tag
 * @param result pass, fail, permerror, temperror or neutral
 * @param reason plain language, for people
 */
public record DkimResult(String domain, String selector, String algorithm, Status result, String reason) {

    /** RFC 8601 result names. */
    public enum Status {
        /** Signature and body hash verify with the published key. */
        PASS,
        /** The message was changed after signing (hash mismatch), or the algorithm is forbidden (rsa-sha1). */
        FAIL,
        /** The signature cannot be checked: malformed, expired, no or unusable key. */
        PERMERROR,
        /** The key could not be fetched now (DNS trouble); trying again later may help. */
        TEMPERROR,
        /** Not used for signatures we could parse; kept for completeness. */
        NEUTRAL;

        /** The lower-case name used in JSON and in Authentication-Results. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether d= is the From domain or a parent of it (DMARC relaxed alignment). */
    public boolean alignedWith(String fromDomain) {
        if (domain == null || fromDomain == null) {
            return false;
        }
        String d = domain.toLowerCase(Locale.ROOT);
        String f = fromDomain.toLowerCase(Locale.ROOT);
        return f.equals(d) || f.endsWith("." + d);
    }
}
