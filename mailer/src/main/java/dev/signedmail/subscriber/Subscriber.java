package dev.signedmail.subscriber;

import java.time.Instant;
import java.util.List;

/** A subscriber as stored. {@code status} is active, unsubscribed or suppressed. */
public record Subscriber(long id, String email, String name, String status, List<String> topics, Instant createdAt) {
}
