package dev.signedmail.sign;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;

/**
 * A detached CMS SignedData (RFC 5652) with an RSA signature, made by filling in a template
 * instead of building the structure again for every message.
 *
 * <p>Why this is exact: with an RSA key every field of the SignedData has the same length from one
 * message to the next. Only three values change — the signing time (a 13-byte UTCTime,
 * "YYMMDDHHMMSSZ", for the years 1950–2049, RFC 5652 §11.3), the message digest (32 bytes of
 * SHA-256) and the signature (the modulus length) — so the template that Bouncy Castle built once
 * is copied and those bytes overwritten, and the signature is made as RFC 5652 §5.4 says: over the
 * DER of the signed attributes with the EXPLICIT SET OF tag (0x31) in place of the IMPLICIT [0]
 * (0xA0) that they carry inside the SignerInfo.
 *
 * <p>Where that does not hold (an EC key, whose signatures vary in length; a date outside
 * 1950–2049, which is a GeneralizedTime) {@link #usable} is false and the caller builds the
 * SignedData with Bouncy Castle as before. Building the structure was a tenth of the time of a
 * fully signed message.
 */
final class CmsTemplate {
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    /** The signing time the template is built with; distinctive enough to be found once in the DER. */
    static final Instant TEMPLATE_TIME = Instant.parse("2001-02-03T04:05:06Z");

    private final byte[] template;
    private final int timeAt;
    private final int digestAt;
    private final int attributesAt;
    private final int attributesLength;
    private final int signatureAt;
    private final int signatureLength;

    private CmsTemplate(byte[] template, int timeAt, int digestAt, int attributesAt, int attributesLength,
                        int signatureAt, int signatureLength) {
        this.template = template;
        this.timeAt = timeAt;
        this.digestAt = digestAt;
        this.attributesAt = attributesAt;
        this.attributesLength = attributesLength;
        this.signatureAt = signatureAt;
        this.signatureLength = signatureLength;
    }

    /**
     * Finds the three variable fields in {@code der}, a SignedData that Bouncy Castle built over
     * {@code content} at {@link #TEMPLATE_TIME}; null if any is not found exactly once.
     */
    static CmsTemplate of(byte[] der, byte[] content) {
        try {
            CMSSignedData parsed = new CMSSignedData(der);
            SignerInformation signer = parsed.getSignerInfos().getSigners().iterator().next();
            byte[] attributes = signer.getEncodedSignedAttributes(); // 0x31 ... as signed
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
            byte[] time = UTC_TIME.format(TEMPLATE_TIME).getBytes(StandardCharsets.US_ASCII);
            byte[] signature = signer.getSignature();
            int attributesAt = onlyIndexOf(der, Arrays.copyOfRange(attributes, 1, attributes.length)) - 1;
            int timeAt = onlyIndexOf(der, time);
            int digestAt = onlyIndexOf(der, digest);
            int signatureAt = onlyIndexOf(der, signature);
            if (attributesAt < 0 || der[attributesAt] != (byte) 0xA0 || timeAt < 0 || digestAt < 0 || signatureAt < 0
                    || timeAt < attributesAt || timeAt + time.length > attributesAt + attributes.length
                    || digestAt < attributesAt || digestAt + digest.length > attributesAt + attributes.length) {
                return null;
            }
            return new CmsTemplate(der, timeAt, digestAt, attributesAt, attributes.length, signatureAt, signature.length);
        } catch (Exception e) {
            return null;
        }
    }

    /** Whether a signature made at {@code when} fits the template (a UTCTime year). */
    static boolean usable(Instant when) {
        int year = ZonedDateTime.ofInstant(when, ZoneOffset.UTC).getYear();
        return year >= 1950 && year <= 2049;
    }

    /**
     * The SignedData over content whose SHA-256 is {@code digest}, signed at {@code when} with
     * {@code signer} (initialised for signing with the template's key; left ready for the next use).
     */
    byte[] fill(byte[] digest, Instant when, Signature signer) throws GeneralSecurityException {
        byte[] out = template.clone();
        byte[] time = UTC_TIME.format(when).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(time, 0, out, timeAt, time.length);
        System.arraycopy(digest, 0, out, digestAt, digest.length);
        out[attributesAt] = 0x31; // signed as SET OF (RFC 5652 §5.4) ...
        signer.update(out, attributesAt, attributesLength);
        out[attributesAt] = (byte) 0xA0; // ... carried as [0] IMPLICIT
        byte[] signature = signer.sign();
        if (signature.length != signatureLength) {
            throw new GeneralSecurityException("signature of " + signature.length + " bytes, template has " + signatureLength);
        }
        System.arraycopy(signature, 0, out, signatureAt, signatureLength);
        return out;
    }

    /** Signature objects for the template's key, one per thread (they are not thread-safe). */
    static Signature signer(String algorithm, PrivateKey key) throws GeneralSecurityException {
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        return s;
    }

    private static int onlyIndexOf(byte[] haystack, byte[] needle) {
        int found = -1;
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            if (found >= 0) {
                return -1; // twice: ambiguous
            }
            found = i;
        }
        return found;
    }
}
