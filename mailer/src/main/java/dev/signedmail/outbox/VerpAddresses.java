package dev.signedmail.outbox;

import dev.signedmail.subscriber.TokenKeys;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * VERP envelope senders: {@code bounces+TOKEN@DOMAIN}, where TOKEN names one outbox row (so one
 * recipient of one release) and carries an HMAC, so a bounce is tied to the right subscriber even
 * when its text names no address, and nobody can forge a bounce for someone else.
 *
 * <p>TOKEN is lower-case base32 of (row id, 8 bytes | HMAC-SHA256 truncated to 12 bytes): 32
 * characters, because some relays lower-case the local part on the way back.
 */
public final class VerpAddresses {

    private static final int MAC_BYTES = 12;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private final List<byte[]> keys;
    private final String localPart;
    private final String domain;

    /**
     * {@code keys}: secrets of at least 32 bytes, the first signs new addresses, all verify (so a
     * bounce of a message sent before a key rotation still counts).
     */
    public VerpAddresses(List<byte[]> keys, String localPart, String domain) {
        this.keys = keys.stream().map(VerpAddresses::derive).toList();
        this.localPart = localPart.toLowerCase(Locale.ROOT);
        this.domain = domain.toLowerCase(Locale.ROOT);
    }

    public String envelopeFrom(long outboxRowId) {
        byte[] id = ByteBuffer.allocate(8).putLong(outboxRowId).array();
        byte[] token = ByteBuffer.allocate(8 + MAC_BYTES).put(id).put(mac(keys.get(0), id)).array();
        return localPart + "+" + base32(token) + "@" + domain;
    }

    /** The outbox row a VERP token (the part after "+") names, if it is genuine. */
    public OptionalLong rowOf(String token) {
        if (token == null) {
            return OptionalLong.empty();
        }
        byte[] raw = unbase32(token.toLowerCase(Locale.ROOT));
        if (raw == null || raw.length != 8 + MAC_BYTES) {
            return OptionalLong.empty();
        }
        byte[] id = Arrays.copyOf(raw, 8);
        byte[] given = Arrays.copyOfRange(raw, 8, raw.length);
        for (byte[] key : keys) {
            if (MessageDigest.isEqual(mac(key, id), given)) {
                return OptionalLong.of(ByteBuffer.wrap(id).getLong());
            }
        }
        return OptionalLong.empty();
    }

    /** The token of an address like {@code bounces+TOKEN@domain}, or null when it is not one of ours. */
    public String tokenOf(String address) {
        if (address == null) {
            return null;
        }
        String a = address.strip().replaceAll("^<|>$", "").toLowerCase(Locale.ROOT);
        String prefix = localPart + "+";
        int at = a.lastIndexOf('@');
        if (!a.startsWith(prefix) || at < 0) {
            return null;
        }
        return a.substring(prefix.length(), at);
    }

    private static byte[] mac(byte[] key, byte[] data) {
        return Arrays.copyOf(TokenKeys.hmac(key, data), MAC_BYTES);
    }

    /** A separate key for VERP, so a VERP token can never be replayed as an unsubscribe token. */
    private static byte[] derive(byte[] master) {
        return TokenKeys.derive(master, "signedmail verp v1");
    }

    static String base32(byte[] data) {
        StringBuilder b = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte d : data) {
            buffer = (buffer << 8) | (d & 0xff);
            bits += 8;
            while (bits >= 5) {
                b.append(ALPHABET[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            b.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return b.toString();
    }

    static byte[] unbase32(String s) {
        ByteBuffer out = ByteBuffer.allocate(s.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (char c : s.toCharArray()) {
            int v = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (v < 0) {
                return null;
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.put((byte) (buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return out.array();
    }
}
