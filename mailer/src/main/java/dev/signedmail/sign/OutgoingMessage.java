package dev.signedmail.sign;

import jakarta.mail.internet.InternetAddress;
import java.time.Instant;

/**
 * Everything that goes into one signed message to one subscriber, already decided; the factory only
 * encodes and signs it.
 *
 * @param messageId without angle brackets, e.g. {@code 20250101.abc@example.org}
 * @param listId the List-Id without angle brackets, e.g. {@code press.example.org}; null for none
 * @param listUnsubscribeUrl the one-click (RFC 8058) https URL for this subscriber
 * @param listUnsubscribeMailto a {@code mailto:} URI, or null for none
 * @param html the HTML alternative, or null for a text/plain-only message
 */
public record OutgoingMessage(
        InternetAddress from,
        InternetAddress to,
        String subject,
        Instant date,
        String messageId,
        String listId,
        String listUnsubscribeUrl,
        String listUnsubscribeMailto,
        String text,
        String html) {
}
