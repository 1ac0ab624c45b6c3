package dev.signedmail.verify;

import dev.signedmail.release.ReleaseFeed;
import dev.signedmail.release.ReleaseLogEntry;
import java.util.List;
import java.util.Optional;

/**
 * Looks a checked message up in the press office's public release log: "in our log as release #N"
 * or "not in our log". A message that is authentic but not in the log was signed with our key
 * outside the normal sending path — the one case a stolen key (not a stolen login) produces — so it
 * is said loudly. The lookup uses our Message-ID form {@code <release-ID.…>}, which header
 * protection (RFC 9788) puts under the S/MIME signature.
 */
public final class ReleaseLogCheck {
    private ReleaseLogCheck() {
    }

    /**
     * One sentence about {@code message} and the log.
     *
     * @param entries the log, oldest first (from {@link ReleaseFeed#parse})
     * @param logTrouble what is wrong with the log itself (chain problems, bad signature); empty when fine
     */
    public static String describe(byte[] message, VerificationReport report, List<ReleaseLogEntry> entries, List<String> logTrouble) {
        String damaged = logTrouble.isEmpty() ? "" : " WARNING: the release log itself fails its checks: " + String.join("; ", logTrouble) + ".";
        String messageId;
        try {
            messageId = RawMessage.parse(RawMessage.toCrlf(message)).first("Message-ID");
        } catch (RuntimeException e) {
            messageId = null;
        }
        Optional<Long> releaseId = ReleaseFeed.releaseIdOf(messageId);
        Optional<ReleaseLogEntry> entry = releaseId.flatMap(id -> ReleaseFeed.find(entries, id));
        if (entry.isPresent()) {
            ReleaseLogEntry e = entry.get();
            String what = "Release log: in our log as release #" + e.seq() + " (\"" + e.title() + "\", sent " + e.sentAt()
                    + (e.approvers().isEmpty() ? "" : ", approved by " + String.join(", ", e.approvers()))
                    + ", content sha-256 " + e.contentHash() + ").";
            if (report.verdict() != Verdict.AUTHENTIC) {
                what += " But this copy is not authentic (see above): it is not the message we sent.";
            }
            return what + damaged;
        }
        if (report.verdict() == Verdict.AUTHENTIC) {
            return "Release log: NOT in our log. It is signed with our key but was not sent as a logged release:"
                    + " please forward it to the press office." + damaged;
        }
        return "Release log: not in our log." + damaged;
    }
}
