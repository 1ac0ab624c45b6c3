package dev.signedmail.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnsubscribeTokensTest {

    @TempDir
    Path dir;

    private UnsubscribeTokens tokens(Path file) {
        return new UnsubscribeTokens(TokenKeys.load(file));
    }

    @Test
    void aTokenNamesItsSubscriberAndTopic() {
        Path f = dir.resolve("keys");
        TokenKeys.createIfMissing(f);
        UnsubscribeTokens t = tokens(f);
        String token = t.issue(42, "road-closures");
        assertEquals(Optional.of(new UnsubscribeTokens.Claim(42, "road-closures")), t.verify(token));
        assertNotEquals(token, t.issue(43, "road-closures"));
        assertTrue(token.matches("[A-Za-z0-9_-]+"), "URL-safe: " + token);
    }

    @Test
    void everySingleByteChangeIsRejected() {
        Path f = dir.resolve("keys");
        TokenKeys.createIfMissing(f);
        UnsubscribeTokens t = tokens(f);
        byte[] raw = Base64.getUrlDecoder().decode(t.issue(7, "general"));
        int accepted = 0;
        for (int i = 0; i < raw.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] copy = raw.clone();
                copy[i] ^= (byte) (1 << bit);
                if (t.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(copy)).isPresent()) {
                    accepted++;
                }
            }
        }
        assertEquals(0, accepted);
    }

    @Test
    void thousandsOfRandomSingleByteMutationsAreAllRejected() {
        Path f = dir.resolve("keys");
        TokenKeys.createIfMissing(f);
        UnsubscribeTokens t = tokens(f);
        java.util.Random random = new java.util.Random(20261122);
        int accepted = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] raw = Base64.getUrlDecoder().decode(t.issue(1 + random.nextInt(1_000_000), "general"));
            int at = random.nextInt(raw.length);
            byte replacement = (byte) random.nextInt(256);
            if (replacement == raw[at]) {
                replacement ^= 1;
            }
            raw[at] = replacement;
            if (t.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(raw)).isPresent()) {
                accepted++;
            }
        }
        assertEquals(0, accepted);
    }

    @Test
    void aTokenFromAnotherKeyOrARetiredKeyIsRejected() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        TokenKeys.createIfMissing(a);
        Thread.sleep(1100); // key ids are derived from the time; make them differ
        TokenKeys.createIfMissing(b);
        String fromA = tokens(a).issue(1, "general");
        assertTrue(tokens(b).verify(fromA).isEmpty());
        // rotation: b's key first, a's key still listed → old links keep working
        Path both = dir.resolve("both");
        Files.writeString(both, Files.readString(b) + Files.readString(a));
        assertTrue(tokens(both).verify(fromA).isPresent());
        assertTrue(tokens(both).verify(tokens(both).issue(1, "general")).isPresent());
    }
}
