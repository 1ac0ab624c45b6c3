package dev.signedmail.verify;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of the S/MIME check of one message.
 *
 * @param status good, bad or none (not S/MIME-signed, or encrypted so we cannot look inside)
 * @param reason plain language: why bad or none, or what was checked when good
 * @param signer the signer as people know it, e.g. {@code Example Press Office <news@example.org>}; null if unknown
 * @param signatureValid whether the signature math verifies over the content, whatever the policy says
 *     (an RFC 4134 SHA-1 example is {@code signatureValid} but {@code bad})
 * @param signingTime the signer-claimed signing-time attribute, or null
 * @param problems every problem found, most important first ({@code reason} is the first one)
 * @param headerProtection the RFC 9788 check of headers inside the signed part
 * @param wholeBody true when the signed entity is the message body itself; false when it sits inside
 *     an unsigned multipart, next to parts that anyone could have added
 */
public record SmimeResult(Status status, String reason, String signer, boolean signatureValid, Instant signingTime,
                          List<String> problems, HeaderProtection headerProtection, boolean wholeBody) {

    public enum Status {
        GOOD, BAD, NONE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * RFC 9788 header protection as seen by the verifier.
     *
     * @param present whether the signed part carries header fields (Subject, From, …) of its own
     * @param hp the {@code hp} Content-Type parameter of the signed part ("clear", "cipher") or null
     * @param mismatches one sentence per header that differs outside from inside the signature
     */
    public record HeaderProtection(boolean present, String hp, List<String> mismatches) {
        public static final HeaderProtection ABSENT = new HeaderProtection(false, null, List.of());
    }

    SmimeResult nested() {
        return new SmimeResult(status, reason, signer, signatureValid, signingTime, problems, headerProtection, false);
    }

    static SmimeResult none(String reason) {
        return new SmimeResult(Status.NONE, reason, null, false, null, List.of(), HeaderProtection.ABSENT, true);
    }
}
