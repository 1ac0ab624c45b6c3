package dev.signedmail.subscriber;

import dev.signedmail.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HMAC keys behind unsubscribe links, one {@code keyid:base64} per line; the first line signs
 * new links, the others still verify old ones (rotation: add a new first line, drop a line to
 * retire its key and every link made with it).
 */
public final class TokenKeys {

    private final String activeId;
    private final Map<String, byte[]> keys;

    private TokenKeys(String activeId, Map<String, byte[]> keys) {
        this.activeId = activeId;
        this.keys = keys;
    }

    public static TokenKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Problem("cannot read the token key file " + file
                    + " (run `mailer init`, or set MAILER_TOKEN_KEYS_FILE)");
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            byte[] key = null;
            if (colon > 0 && l.substring(0, colon).matches("[A-Za-z0-9]{1,16}")) {
                try {
                    key = Base64.getDecoder().decode(l.substring(colon + 1));
                } catch (IllegalArgumentException e) {
                    key = null;
                }
            }
            if (key == null || key.length < 32) {
                throw new Problem(file + " line " + n + ": expected  KEYID:BASE64  with a key id of up to 16 letters"
                        + " or digits and at least 32 random bytes");
            }
            keys.put(l.substring(0, colon), key);
        }
        if (keys.isEmpty()) {
            throw new Problem("the token key file " + file + " holds no key (run `mailer init` to create one)");
        }
        return new TokenKeys(keys.keySet().iterator().next(), keys);
    }

    /** Creates the key file with one fresh key, readable only by its owner; no-op when it exists. */
    public static boolean createIfMissing(Path file) {
        if (Files.exists(file)) {
            return false;
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String id = "k" + Long.toString(System.currentTimeMillis() / 1000, 36);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, "# unsubscribe-link keys: the first line signs; see README\n"
                    + id + ":" + Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the folder's permissions protect it
            }
        } catch (IOException e) {
            throw new Problem("cannot create the token key file " + file + ": " + e.getMessage());
        }
        return true;
    }

    String activeId() {
        return activeId;
    }

    byte[] key(String id) {
        return keys.get(id);
    }

    /** HMAC-SHA256, the one MAC behind every link token (unsubscribe, confirmation, VERP). */
    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacSHA256");
            m.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** A key for one purpose derived from a master key, so a token of one kind never passes as another. */
    public static byte[] derive(byte[] master, String purpose) {
        return hmac(master, purpose.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** Every key, the signing one first, for other keyed tokens (each derives its own sub-key). */
    public java.util.List<byte[]> all() {
        return java.util.List.copyOf(keys.values());
    }
}
