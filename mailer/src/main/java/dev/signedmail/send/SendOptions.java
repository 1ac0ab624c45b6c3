package dev.signedmail.send;

import dev.signedmail.outbox.RetryPolicy;
import java.time.Duration;

/**
 * How a run delivers: connections (and signing threads) per relay, the lease a sender holds on the
 * rows it claimed, the retry schedule, how long a run goes on while nothing gets through (after
 * that it stops and leaves the rest for the next run or another worker), and an optional global
 * rate limit in messages per second (0 = none).
 */
public record SendOptions(int connections, Duration lease, RetryPolicy retry, Duration patience, double ratePerSecond) {
}
