package dev.signedmail.sign;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the Amazon Corretto Crypto Provider (native AWS-LC code, shipped inside its jar for Linux
 * x86-64) first in the JCA provider list, once per JVM, so that every {@code Signature},
 * {@code MessageDigest} and {@code KeyFactory} our signers ask for without naming a provider is
 * the native one: measured here about 5× the JDK's RSA-2048 signing rate.
 *
 * <p>Only when it loads and passes its self-tests; otherwise (another platform, a locked-down temp
 * folder, a failed self-test) one INFO line says why and the JDK's providers stay as they are.
 * {@code -Dsignedmail.nativeCrypto=false} keeps the JDK's providers (for comparisons).
 */
public final class CryptoProviders {
    private static final Logger LOG = LoggerFactory.getLogger(CryptoProviders.class);
    private static String active;

    private CryptoProviders() {
    }

    /** Installs the native provider at position 1 if it can; returns what is in use. Idempotent. */
    public static synchronized String install() {
        if (active != null) {
            return active;
        }
        if ("false".equalsIgnoreCase(System.getProperty("signedmail.nativeCrypto"))) {
            active = jdk();
            LOG.info("native crypto provider off (signedmail.nativeCrypto=false): using {}", active);
            return active;
        }
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable loading = accp.getLoadingError();
            if (loading != null) {
                throw loading;
            }
            accp.assertHealthy();
            Provider[] providers = Security.getProviders();
            if (providers.length == 0 || providers[0] != accp) {
                Security.removeProvider(accp.getName());
                Security.insertProviderAt(accp, 1);
            }
            active = accp.getName() + " " + accp.getVersionStr();
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError or a failed self-test: all mean "not here"
            active = jdk();
            LOG.info("native crypto provider not available ({}): signing with {}", t.toString(), active);
        }
        return active;
    }

    /** True when the native provider is installed and first. */
    public static boolean nativeActive() {
        Provider[] providers = Security.getProviders();
        return providers.length > 0 && providers[0] == AmazonCorrettoCryptoProviderHolder.instanceOrNull();
    }

    /**
     * The same key as an object of the first provider that can hold it, so that the native
     * provider does not convert a JDK key object again on every signature (about 20% of its RSA
     * time here). Returns {@code key} itself when nothing converts it (an HSM key, say).
     */
    public static PrivateKey preferred(PrivateKey key) {
        if (key == null || !nativeActive()) {
            return key;
        }
        try {
            return (PrivateKey) KeyFactory.getInstance(key.getAlgorithm()).translateKey(key);
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    private static String jdk() {
        Provider first = Security.getProviders()[0];
        return first.getName() + " " + first.getVersionStr() + " (JDK)";
    }

    /** Keeps a missing ACCP class from failing {@link #nativeActive()} on platforms without it. */
    private static final class AmazonCorrettoCryptoProviderHolder {
        static Provider instanceOrNull() {
            try {
                return AmazonCorrettoCryptoProvider.INSTANCE;
            } catch (LinkageError e) {
                return null;
            }
        }
    }
}
