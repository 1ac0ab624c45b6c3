package dev.signedmail.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.signedmail.TestSupport;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The native provider is first where it can load (Linux x86-64, as here and in CI), and our keys go to it. */
class CryptoProvidersTest {

    private static boolean linuxX64() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    @Test
    void installsTheNativeProviderFirstOnLinuxX64() throws Exception {
        String active = CryptoProviders.install();
        assumeTrue(linuxX64(), "the bundled native library is for Linux x86-64");
        assertTrue(CryptoProviders.nativeActive(), active);
        assertEquals(active, CryptoProviders.install(), "idempotent");
        assertEquals("AmazonCorrettoCryptoProvider", Signature.getInstance("SHA256withRSA").getProvider().getName());
        assertEquals("AmazonCorrettoCryptoProvider", MessageDigest.getInstance("SHA-256").getProvider().getName());
    }

    @Test
    void ourKeysAreConvertedOnceForTheNativeProviderAndStillSign() throws Exception {
        CryptoProviders.install();
        assumeTrue(CryptoProviders.nativeActive());
        SmimeKey smime = SmimeKey.load(TestSupport.keys().resolve("signer.p12"), TestSupport.keys().resolve("signer.p12.password"));
        PrivateKey fast = CryptoProviders.preferred(smime.privateKey());
        assertTrue(fast.getClass().getName().startsWith("com.amazon.corretto"), fast.getClass().getName());
        assertSame(fast.getClass(), CryptoProviders.preferred(fast).getClass());
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(fast);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        Signature v = Signature.getInstance("SHA256withRSA", "SunRsaSign");
        v.initVerify(smime.certificate().getPublicKey());
        v.update(new byte[] {1, 2, 3});
        assertTrue(v.verify(sig), "the JDK verifies what the native provider signed");
    }
}
