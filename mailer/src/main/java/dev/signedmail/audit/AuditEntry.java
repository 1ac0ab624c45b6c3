package dev.signedmail.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One audit row.
 *
 * @param via cli, api, web or cron
 * @param contentHash the release content's SHA-256 at the time, or null
 */
public record AuditEntry(long id, Instant at, String operator, String action, Long releaseId, String contentHash,
                         String via, String address, String detail, String prevHash, String rowHash) {

    /**
     * The bytes the row hash covers: the previous row's hash and every field, each length-prefixed
     * so no two different rows encode alike.
     */
    byte[] chainedBytes() {
        return Stream.of(prevHash, Long.toString(id), at.toString(), operator, action,
                        Objects.toString(releaseId, ""), Objects.toString(contentHash, ""), via, address,
                        Objects.toString(detail, ""))
                .map(s -> s.length() + ":" + s)
                .collect(Collectors.joining("|"))
                .getBytes(StandardCharsets.UTF_8);
    }

    public String describe() {
        return String.format("%5d  %s  %-10s %-16s %-8s %-4s %s%s%s", id, at, operator, action,
                releaseId == null ? "" : "#" + releaseId, via, address,
                contentHash == null ? "" : "  content " + contentHash.substring(0, 12),
                detail == null || detail.isBlank() ? "" : "  — " + detail);
    }
}
