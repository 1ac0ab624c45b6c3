package dev.signedmail.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try again after a 4xx or a broken connection: exponential backoff from {@code base},
 * capped at {@code cap}, with jitter (a random 50–100 % of the delay) so that many messages
 * deferred by the same outage do not all return at the same second; and when to give up
 * ({@code maxAge} after the first attempt, then the row is failed).
 */
public record RetryPolicy(Duration base, Duration cap, Duration maxAge) {

    public Duration delay(int attemptsSoFar) {
        long baseMs = base.toMillis();
        int shift = Math.min(Math.max(attemptsSoFar, 1) - 1, 30);
        long ms = Math.min(cap.toMillis(), baseMs * (1L << shift));
        double jitter = 0.5 + ThreadLocalRandom.current().nextDouble() * 0.5;
        return Duration.ofMillis(Math.max(1, (long) (ms * jitter)));
    }

    public boolean expired(Instant firstAttempt, Instant now) {
        return firstAttempt != null && Duration.between(firstAttempt, now).compareTo(maxAge) > 0;
    }
}
