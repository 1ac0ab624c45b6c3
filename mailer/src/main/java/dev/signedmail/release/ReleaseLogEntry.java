package dev.signedmail.release;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * One entry of the public release log.
 *
 * @param seq 1, 2, 3, … without gaps
 * @param contentHash sha-256 (hex) of the release content, see {@link #contentHash(Release)}
 * @param approvers who approved the release, empty when the workflow did not record it
 * @param previousHash the {@link #entryHash} of entry {@code seq - 1}; 64 zeros for the first
 * @param entryHash sha-256 (hex) over all the fields above, see {@link #computeHash()}
 */
public record ReleaseLogEntry(long seq, long releaseId, String contentHash, String title, List<String> approvers,
                              Instant sentAt, String previousHash, String entryHash) {
    public static final String GENESIS = "0".repeat(64);

    /** Builds entry {@code seq} after {@code previousHash}, computing its own hash. */
    public static ReleaseLogEntry next(long seq, Release r, List<String> approvers, Instant sentAt, String previousHash) {
        ReleaseLogEntry draft = new ReleaseLogEntry(seq, r.id(), contentHash(r), r.title(), List.copyOf(approvers),
                sentAt, previousHash, "");
        return new ReleaseLogEntry(seq, r.id(), draft.contentHash, r.title(), draft.approvers, sentAt, previousHash, draft.computeHash());
    }

    /**
     * The hash this entry must carry. Fields are length-prefixed so that no two different entries
     * serialise alike (a title containing a separator cannot shift a field).
     */
    public String computeHash() {
        StringBuilder b = new StringBuilder("signedmail-release-log-v1");
        for (String f : List.of(Long.toString(seq), Long.toString(releaseId), contentHash, title, String.join(",", approvers),
                Long.toString(sentAt.getEpochSecond()), previousHash)) {
            b.append('\n').append(f.length()).append(':').append(f);
        }
        return sha256(b.toString());
    }

    /** sha-256 over the content fields, length-prefixed, so a changed word anywhere changes it. */
    public static String contentHash(Release r) {
        StringBuilder b = new StringBuilder("signedmail-release-v1");
        for (String f : new String[] {r.title(), r.summary(), r.bodyMarkdown(), r.link() == null ? "" : r.link(), r.topic()}) {
            b.append('\n').append(f.length()).append(':').append(f);
        }
        return sha256(b.toString());
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
