package dev.signedmail.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VerpAddressesTest {
    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return k;
    }

    private final VerpAddresses verp = new VerpAddresses(List.of(key(1)), "bounces", "example.org");

    @Test
    void anAddressNamesItsRowEvenWhenARelayUpperCasesIt() {
        String a = verp.envelopeFrom(123_456_789L);
        assertTrue(a.matches("bounces\\+[a-z2-7]{32}@example\\.org"), a);
        assertTrue(a.indexOf('@') <= 64, "local part fits RFC 5321's 64 characters");
        assertEquals(OptionalLong.of(123_456_789L), verp.rowOf(verp.tokenOf(a)));
        assertEquals(OptionalLong.of(123_456_789L), verp.rowOf(verp.tokenOf("<" + a.toUpperCase() + ">")));
    }

    @Test
    void forgedOrForeignTokensNameNothing() {
        String token = verp.tokenOf(verp.envelopeFrom(7));
        int accepted = 0;
        for (int i = 0; i < token.length(); i++) {
            for (char c : "abcdefghijklmnopqrstuvwxyz234567".toCharArray()) {
                if (c == token.charAt(i)) {
                    continue;
                }
                String forged = token.substring(0, i) + c + token.substring(i + 1);
                if (verp.rowOf(forged).isPresent() && verp.rowOf(forged).getAsLong() != 7) {
                    accepted++;
                }
                if (verp.rowOf(forged).isPresent() && i < token.length() - 1) {
                    accepted++;
                }
            }
        }
        assertEquals(0, accepted);
        VerpAddresses other = new VerpAddresses(List.of(key(2)), "bounces", "example.org");
        assertTrue(other.rowOf(token).isEmpty());
        assertNull(verp.tokenOf("someone@example.org"));
    }

    @Test
    void afterAKeyRotationOldAddressesStillResolve() {
        String old = verp.tokenOf(verp.envelopeFrom(99));
        VerpAddresses rotated = new VerpAddresses(List.of(key(3), key(1)), "bounces", "example.org");
        assertEquals(OptionalLong.of(99), rotated.rowOf(old));
        assertEquals(OptionalLong.of(5), rotated.rowOf(rotated.tokenOf(rotated.envelopeFrom(5))));
    }
}
