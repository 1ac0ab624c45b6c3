package dev.signedmail.verify;

import dev.signedmail.verify.DkimResult.Status;
import jakarta.mail.internet.InternetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks one received message and says whether it is authentic.
 *
 * <p>The verdict rule. The S/MIME signature is the end-to-end proof that the press office wrote the
 * content; DKIM only proves that the message left the domain's mail system, which is exactly what
 * someone with a stolen mail login can also achieve, and it breaks on harmless forwarding. So:
 * <ol>
 *   <li>S/MIME bad (content changed, SHA-1, untrusted, expired, wrong usage, signer ≠ From):
 *       <b>not-authentic</b>.</li>
 *   <li>S/MIME good, but a header protected inside the signature (RFC 9788) differs outside:
 *       <b>not-authentic</b> ("the Subject was changed after signing").</li>
 *   <li>S/MIME good, and a DKIM signature aligned with the From domain fails while none aligned
 *       passes: <b>not-authentic</b>. S/MIME does not cover the Subject; the sender's own DKIM
 *       does, and its failure says a signed header (or the body outside the S/MIME part) changed.</li>
 *   <li>S/MIME good, but the signed part sits inside an unsigned multipart (someone may have added
 *       parts): <b>unknown</b>.</li>
 *   <li>S/MIME good otherwise: <b>authentic</b>, whether or not DKIM passes (it may be missing,
 *       unaligned, expired or its key rotated away by the time a subscriber checks).</li>
 *   <li>No S/MIME: an aligned DKIM fail is <b>not-authentic</b>; anything else, even an aligned DKIM
 *       pass, is <b>unknown</b>: DKIM alone cannot tell the press office from a stolen login.</li>
 * </ol>
 * DKIM signatures of other domains (relays, mailing lists) are reported but never decide anything.
 * Never throws: an unreadable message is {@link Verdict#UNKNOWN}.
 */
public final class MessageVerifier {
    private final SmimeVerifier smime;
    private final DkimVerifier dkim;

    public MessageVerifier(SmimeVerifier smime, DkimVerifier dkim) {
        this.smime = smime;
        this.dkim = dkim;
    }

    /** Convenience: trust {@code anchors}, no CRLs, keys from {@code keys}, verification time {@code at}. */
    public MessageVerifier(List<java.security.cert.X509Certificate> anchors, KeyRecords keys, Instant at) {
        this(new SmimeVerifier(anchors, List.of(), at), new DkimVerifier(keys, at));
    }

    public VerificationReport verify(byte[] message) {
        String from = null;
        try {
            from = RawMessage.parse(RawMessage.toCrlf(message)).first("From");
        } catch (RuntimeException e) {
            // reported through the checks below
        }
        SmimeResult s;
        try {
            s = smime.verify(message);
        } catch (RuntimeException e) {
            s = SmimeResult.none("the message cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        List<DkimResult> d;
        try {
            d = dkim.verify(message);
        } catch (RuntimeException e) {
            d = List.of();
        }
        return decide(from, s, d);
    }

    static VerificationReport decide(String from, SmimeResult s, List<DkimResult> d) {
        String fromDomain = fromDomain(from);
        List<DkimResult> aligned = d.stream().filter(r -> r.alignedWith(fromDomain)).toList();
        boolean alignedPass = aligned.stream().anyMatch(r -> r.result() == Status.PASS);
        Optional<DkimResult> alignedFail = aligned.stream().filter(r -> r.result() == Status.FAIL).findFirst();
        String signer = s.signer() == null ? "an unknown signer" : s.signer();

        if (s.status() == SmimeResult.Status.BAD) {
            return new VerificationReport(Verdict.NOT_AUTHENTIC, "NOT AUTHENTIC: the S/MIME signature"
                    + (s.signer() == null ? "" : " (" + s.signer() + ")") + " is not valid, because " + s.reason() + ".", from, s, d);
        }
        if (s.status() == SmimeResult.Status.GOOD) {
            if (!s.headerProtection().mismatches().isEmpty()) {
                return new VerificationReport(Verdict.NOT_AUTHENTIC, "NOT AUTHENTIC: signed by " + signer + ", but "
                        + s.headerProtection().mismatches().get(0) + ".", from, s, d);
            }
            if (!alignedPass && alignedFail.isPresent()) {
                DkimResult f = alignedFail.get();
                return new VerificationReport(Verdict.NOT_AUTHENTIC, "NOT AUTHENTIC: the content is signed by " + signer
                        + ", but the message was changed after sending, because the DKIM signature of " + f.domain()
                        + " fails: " + f.reason() + ".", from, s, d);
            }
            if (!s.wholeBody()) {
                return new VerificationReport(Verdict.UNKNOWN, "Cannot tell: one part is signed by " + signer
                        + ", but the message also holds parts outside the signature that anyone could have added.", from, s, d);
            }
            String caveat = alignedPass || s.headerProtection().present() ? ""
                    : " (The Subject and Date are not covered by any valid signature.)";
            return new VerificationReport(Verdict.AUTHENTIC, "Authentic: signed by " + signer + ", content unchanged." + caveat,
                    from, s, d);
        }
        // No S/MIME.
        if (s.reason().contains("encrypted")) {
            return new VerificationReport(Verdict.UNKNOWN, "Cannot tell: " + s.reason() + ".", from, s, d);
        }
        if (!alignedPass && alignedFail.isPresent()) {
            DkimResult f = alignedFail.get();
            return new VerificationReport(Verdict.NOT_AUTHENTIC, "NOT AUTHENTIC: the message has no S/MIME signature and"
                    + " the DKIM signature of " + f.domain() + " fails, because " + f.reason() + ".", from, s, d);
        }
        if (alignedPass) {
            return new VerificationReport(Verdict.UNKNOWN, "Cannot tell: the message has no S/MIME signature. DKIM shows it"
                    + " left the mail system of " + fromDomain + " unchanged, but not who wrote it.", from, s, d);
        }
        boolean temp = aligned.stream().anyMatch(r -> r.result() == Status.TEMPERROR);
        return new VerificationReport(Verdict.UNKNOWN, "Cannot tell: " + s.reason()
                + (temp ? ", and the DKIM key could not be fetched now (try again later)" : d.isEmpty()
                ? " and has no DKIM signature" : " and no DKIM signature of the sender's domain verifies") + ".", from, s, d);
    }

    static String fromDomain(String from) {
        if (from == null) {
            return null;
        }
        try {
            InternetAddress[] a = InternetAddress.parseHeader(from, false);
            if (a.length != 1 || a[0].getAddress() == null || a[0].getAddress().lastIndexOf('@') < 0) {
                return null;
            }
            String addr = a[0].getAddress();
            return addr.substring(addr.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return null;
        }
    }
}
