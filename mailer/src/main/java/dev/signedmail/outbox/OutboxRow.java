package dev.signedmail.outbox;

/** One recipient of one release, as claimed for delivery. */
public record OutboxRow(long id, long releaseId, long subscriberId, String email, String name, String status, int attempts) {
}
