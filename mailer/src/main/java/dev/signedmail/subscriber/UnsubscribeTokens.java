package dev.signedmail.subscriber;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Per-subscriber, unguessable links: HMAC-SHA256 over (version, key id, subscriber, topic).
 * The token carries the key id so keys can rotate, and is checked in constant time.
 *
 * <p>Layout before base64url: version (1 byte) | key-id length (1) | key id | subscriber id (8) |
 * topic length (1) | topic | MAC (32).
 */
public final class UnsubscribeTokens {

    private static final byte VERSION = 1;
    private static final int MAC_LENGTH = 32;

    private final TokenKeys keys;

    public UnsubscribeTokens(TokenKeys keys) {
        this.keys = keys;
    }

    /** What a valid token names. */
    public record Claim(long subscriberId, String topic) {
    }

    public String issue(long subscriberId, String topic) {
        String kid = keys.activeId();
        byte[] payload = payload(kid, subscriberId, topic);
        byte[] mac = mac(keys.key(kid), payload);
        ByteBuffer out = ByteBuffer.allocate(payload.length + MAC_LENGTH).put(payload).put(mac);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    }

    /** The claim of a genuine token made with a key still on file; empty for anything else. */
    public Optional<Claim> verify(String token) {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(token);
            ByteBuffer in = ByteBuffer.wrap(raw);
            if (in.get() != VERSION) {
                return Optional.empty();
            }
            byte[] kidBytes = new byte[in.get()];
            in.get(kidBytes);
            String kid = new String(kidBytes, StandardCharsets.US_ASCII);
            long subscriber = in.getLong();
            byte[] topicBytes = new byte[in.get()];
            in.get(topicBytes);
            String topic = new String(topicBytes, StandardCharsets.US_ASCII);
            if (in.remaining() != MAC_LENGTH) {
                return Optional.empty();
            }
            byte[] given = new byte[MAC_LENGTH];
            in.get(given);
            byte[] key = keys.key(kid);
            if (key == null) {
                return Optional.empty();
            }
            byte[] expected = mac(key, payload(kid, subscriber, topic));
            // constant time: the comparison must not tell an attacker how many bytes were right
            return MessageDigest.isEqual(expected, given) ? Optional.of(new Claim(subscriber, topic)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static byte[] payload(String kid, long subscriberId, String topic) {
        byte[] k = kid.getBytes(StandardCharsets.US_ASCII);
        byte[] t = topic.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(1 + 1 + k.length + 8 + 1 + t.length)
                .put(VERSION).put((byte) k.length).put(k).putLong(subscriberId).put((byte) t.length).put(t)
                .array();
    }

    private static byte[] mac(byte[] key, byte[] data) {
        return TokenKeys.hmac(key, data);
    }
}
