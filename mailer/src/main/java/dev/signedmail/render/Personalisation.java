package dev.signedmail.render;

import java.util.Objects;

/**
 * What differs per recipient.
 *
 * @param email the subscriber's address
 * @param name the subscriber's name, or null (or blank) when unknown: the greeting is then neutral
 * @param topic the topic the subscriber signed up for (shown in "why you get this")
 * @param unsubscribeUrl this subscriber's one-click unsubscribe link
 * @param preferencesUrl this subscriber's preferences page
 */
public record Personalisation(
        String email, String name, String topic, String unsubscribeUrl, String preferencesUrl) {
    public Personalisation {
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(unsubscribeUrl, "unsubscribeUrl");
        Objects.requireNonNull(preferencesUrl, "preferencesUrl");
    }
}
