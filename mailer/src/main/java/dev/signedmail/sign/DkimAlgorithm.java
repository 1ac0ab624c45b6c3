package dev.signedmail.sign;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * The DKIM signing algorithms we can produce, so that ed25519-sha256 (RFC 8463) is one more
 * constant here rather than a rework of {@link DkimSigner}.
 *
 * <p>Signing goes through a JCA {@link Signature} with the {@link PrivateKey} object, never raw key
 * bytes, so a key that lives in an HSM (PKCS#11 provider) can be used unchanged.
 */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa") {
        @Override
        byte[] sign(PrivateKey key, byte[] signingInput) throws GeneralSecurityException {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput);
            return s.sign();
        }
    },
    /**
     * RFC 8463: PureEdDSA over SHA-256 of the signing input (not over the input itself), so the
     * signing input is hashed here first; the DNS p= is the raw 32-byte public key.
     */
    ED25519_SHA256("ed25519-sha256", "ed25519") {
        @Override
        byte[] sign(PrivateKey key, byte[] signingInput) throws GeneralSecurityException {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(MessageDigest.getInstance("SHA-256").digest(signingInput));
            return s.sign();
        }
    };

    private final String tag;
    private final String keyType;

    DkimAlgorithm(String tag, String keyType) {
        this.tag = tag;
        this.keyType = keyType;
    }

    /** The a= tag value. */
    public String tag() {
        return tag;
    }

    /** The k= value of the DNS record. */
    public String keyType() {
        return keyType;
    }

    /** Signs the canonicalised header data (RFC 6376 §3.7). Called per message; must be thread-safe. */
    abstract byte[] sign(PrivateKey key, byte[] signingInput) throws GeneralSecurityException;
}
