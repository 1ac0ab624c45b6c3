package dev.signedmail.sign;

import dev.signedmail.Problem;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The DKIM private key with the domain and selector it is published under, read once per run.
 *
 * <p>Domain and selector travel with the key because a key is only useful together with the DNS
 * name it is published at; keeping them apart invites signing with one and publishing another.
 * Both PEM flavours openssl produces are accepted (PKCS#8 and the older PKCS#1), because operators
 * paste whatever their DNS provider's guide generated.
 */
public final class DkimKey {
    // RFC 6376 §3.5: a selector is dot-separated sub-domains; domains are the same shape.
    private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*");

    private final PrivateKey privateKey;
    private final String domain;
    private final String selector;
    private final DkimAlgorithm algorithm;
    private final String publicKeyRecord;
    private final Path source;

    private DkimKey(PrivateKey privateKey, String domain, String selector, DkimAlgorithm algorithm,
                    String publicKeyRecord, Path source) {
        this.privateKey = privateKey;
        this.domain = domain;
        this.selector = selector;
        this.algorithm = algorithm;
        this.publicKeyRecord = publicKeyRecord;
        this.source = source;
    }

    public static DkimKey load(Path pem, String domain, String selector) {
        if (domain == null || domain.isBlank()) {
            throw new Problem("DKIM domain is not set: set MAILER_DKIM_DOMAIN to the domain of the From address (e.g. example.org)");
        }
        if (selector == null || selector.isBlank()) {
            throw new Problem("DKIM selector is not set: set MAILER_DKIM_SELECTOR to the selector the TXT record is published under"
                    + " (SELECTOR._domainkey." + domain.trim() + ")");
        }
        String d = domain.trim().toLowerCase(Locale.ROOT);
        String s = selector.trim();
        if (!DNS_NAME.matcher(d).matches()) {
            throw new Problem("DKIM domain '" + domain + "' is not a domain name: fix MAILER_DKIM_DOMAIN");
        }
        if (!DNS_NAME.matcher(s).matches()) {
            throw new Problem("DKIM selector '" + selector + "' is not a DNS label: fix MAILER_DKIM_SELECTOR");
        }
        if (pem == null || !Files.isRegularFile(pem)) {
            throw new Problem("DKIM private key not found: " + pem + " (set MAILER_DKIM_KEY to the PEM file)");
        }
        Object parsed;
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new Problem("DKIM private key " + pem + " is not a readable PEM file: it must start with"
                    + " '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----' (fix MAILER_DKIM_KEY)", e);
        }
        if (parsed instanceof PEMEncryptedKeyPair || parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new Problem("DKIM private key " + pem + " is encrypted: store it unencrypted with"
                    + " `openssl pkey -in OLD -out NEW` and protect the file with permissions");
        }
        PrivateKey key;
        try {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (parsed instanceof PEMKeyPair kp) {
                key = conv.getPrivateKey(kp.getPrivateKeyInfo());
            } else if (parsed instanceof PrivateKeyInfo pki) {
                key = conv.getPrivateKey(pki);
            } else {
                throw new Problem("DKIM private key " + pem + " holds no private key"
                        + (parsed == null ? "" : " (found " + parsed.getClass().getSimpleName() + ")")
                        + ": it must start with '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----'");
            }
        } catch (IOException e) {
            throw new Problem("DKIM private key " + pem + " cannot be decoded: regenerate it with"
                    + " `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`", e);
        }
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new Problem("DKIM private key " + pem + " is a " + key.getAlgorithm() + " key; only RSA"
                    + " (rsa-sha256) is supported: generate one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`");
        }
        if (rsa.getModulus().bitLength() < 1024) {
            throw new Problem("DKIM private key " + pem + " has only " + rsa.getModulus().bitLength()
                    + " bits; receivers ignore such keys: generate a 2048-bit key");
        }
        String record;
        try {
            KeyFactory kf = KeyFactory.getInstance("RSA");
            byte[] spki = kf.generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())).getEncoded();
            record = "v=DKIM1; k=" + DkimAlgorithm.RSA_SHA256.keyType() + "; p=" + Base64.getEncoder().encodeToString(spki);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is always available in the JDK", e);
        }
        return new DkimKey(key, d, s, DkimAlgorithm.RSA_SHA256, record, pem);
    }

    /** The TXT record text to publish at {@link #dnsName()}, derived from the private key. */
    public String publicKeyRecord() {
        return publicKeyRecord;
    }

    /** Where the public key must be published: {@code SELECTOR._domainkey.DOMAIN}. */
    public String dnsName() {
        return selector + "._domainkey." + domain;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public String domain() {
        return domain;
    }

    public String selector() {
        return selector;
    }

    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    public Path source() {
        return source;
    }

    @Override
    public String toString() {
        return "DkimKey[" + dnsName() + " from " + source + "]";
    }
}
