package dev.signedmail.feedback;

import java.time.Duration;
import java.time.Instant;

/**
 * When bounces stop mail to an address — Mailman's model: a hard bounce scores 1 and suppresses at
 * once; a soft bounce scores 0.5, counted at most once a day; a score with no bounce for
 * {@code staleAfter} starts again from zero (the decay listmonk lacks); reaching {@code threshold}
 * suppresses.
 */
public record SuppressionPolicy(double threshold, Duration staleAfter) {
    static final double SOFT = 0.5;

    /** The new score after a soft bounce at {@code now}. */
    double afterSoftBounce(double score, Instant lastBounce, Instant now) {
        if (lastBounce == null || Duration.between(lastBounce, now).compareTo(staleAfter) > 0) {
            return SOFT;
        }
        if (Duration.between(lastBounce, now).compareTo(Duration.ofDays(1)) < 0) {
            return score; // once a day at most: a retrying relay must not count every attempt
        }
        return score + SOFT;
    }

    boolean suppresses(double score) {
        return score >= threshold;
    }
}
