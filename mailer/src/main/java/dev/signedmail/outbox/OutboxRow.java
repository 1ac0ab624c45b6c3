package dev.signedmail.outbox;

import java.time.Instant;

/**
 * One recipient of one release, as claimed for delivery.
 *
 * @param firstAttemptAt when delivery was first tried, or null; retries give up a maximum age after it
 */
public record OutboxRow(long id, long releaseId, long subscriberId, String email, String name, String status, int attempts,
                        Instant firstAttemptAt) {
}
