package dev.signedmail.render;

/**
 * The {@code subscriber} variable in templates.
 *
 * @param name the subscriber's name, or null when unknown (never blank)
 * @param email the subscriber's address
 * @param topic the topic the subscriber signed up for
 */
public record SubscriberView(String name, String email, String topic) {
}
