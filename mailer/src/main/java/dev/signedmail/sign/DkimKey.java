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
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A DKIM private key with the domain and selector it is published under, read once per run.
 *
 * <p>Domain and selector travel with the key because a key is only useful together with the DNS
 * name it is published at; keeping them apart invites signing with one and publishing another.
 * Keys come from a PEM file (RSA as PKCS#8 or the older PKCS#1, because operators paste whatever
 * their DNS provider's guide generated; Ed25519 as PKCS#8) or, through {@link #of}, from a
 * hardware token, in which case the private key is only a handle and never leaves the token.
 */
public final class DkimKey {
    // RFC 6376 §3.5: a selector is dot-separated sub-domains; domains are the same shape.
    private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*");
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows (RFC 8410). */
    static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String domain;
    private final String selector;
    private final DkimAlgorithm algorithm;
    private final String publicKeyRecord;
    private final String origin;
    private final Path source;

    private DkimKey(PrivateKey privateKey, PublicKey publicKey, String domain, String selector, DkimAlgorithm algorithm,
                    String publicKeyRecord, String origin, Path source) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.domain = domain;
        this.selector = selector;
        this.algorithm = algorithm;
        this.publicKeyRecord = publicKeyRecord;
        this.origin = origin;
        this.source = source;
    }

    /** An RSA key from {@code pem}, with the settings {@code dkim.key}, {@code dkim.domain}, {@code dkim.selector}. */
    public static DkimKey load(Path pem, String domain, String selector) {
        return load(pem, domain, selector, "MAILER_DKIM_KEY", "MAILER_DKIM_SELECTOR");
    }

    /**
     * An RSA or Ed25519 key from {@code pem}; {@code keySetting} and {@code selectorSetting} are the
     * environment names quoted in error messages.
     */
    public static DkimKey load(Path pem, String domain, String selector, String keySetting, String selectorSetting) {
        String d = domain(domain);
        String s = selector(selector, d, selectorSetting);
        if (pem == null || !Files.isRegularFile(pem)) {
            throw new Problem("DKIM private key not found: " + pem + " (set " + keySetting + " to the PEM file)");
        }
        Object parsed;
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new Problem("DKIM private key " + pem + " is not a readable PEM file: it must start with"
                    + " '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----' (fix " + keySetting + ")", e);
        }
        if (parsed instanceof PEMEncryptedKeyPair || parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new Problem("DKIM private key " + pem + " is encrypted: store it unencrypted with"
                    + " `openssl pkey -in OLD -out NEW` and protect the file with permissions");
        }
        PrivateKeyInfo info;
        if (parsed instanceof PEMKeyPair kp) {
            info = kp.getPrivateKeyInfo();
        } else if (parsed instanceof PrivateKeyInfo pki) {
            info = pki;
        } else {
            throw new Problem("DKIM private key " + pem + " holds no private key"
                    + (parsed == null ? "" : " (found " + parsed.getClass().getSimpleName() + ")")
                    + ": it must start with '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----'");
        }
        try {
            if (info.getPrivateKeyAlgorithm().getAlgorithm().equals(EdECObjectIdentifiers.id_Ed25519)) {
                byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
                byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
                PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
                byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
                System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
                return new DkimKey(key, pub, d, s, DkimAlgorithm.ED25519_SHA256, record(DkimAlgorithm.ED25519_SHA256, raw),
                        pem.toString(), pem);
            }
            if (!info.getPrivateKeyAlgorithm().getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption)) {
                throw new Problem("DKIM private key " + pem + " is a " + info.getPrivateKeyAlgorithm().getAlgorithm()
                        + " key; only RSA (rsa-sha256) and Ed25519 (ed25519-sha256) are supported: generate one with"
                        + " `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` or `openssl genpkey -algorithm ed25519`");
            }
            KeyFactory kf = KeyFactory.getInstance("RSA");
            RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) kf.generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            PublicKey pub = kf.generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            return of(rsa, pub, d, s, pem.toString(), pem);
        } catch (IOException | GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            throw new Problem("DKIM private key " + pem + " cannot be decoded: regenerate it with"
                    + " `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`", e);
        }
    }

    /**
     * A key held elsewhere, e.g. a PKCS#11 token: {@code privateKey} may be a handle whose bytes
     * cannot be read; the DNS record is derived from {@code publicKey}.
     *
     * @param origin where the key is, for error messages (e.g. "PKCS#11 token label 'dkim'")
     */
    public static DkimKey of(PrivateKey privateKey, PublicKey publicKey, String domain, String selector, String origin) {
        String d = domain(domain);
        return of(privateKey, publicKey, d, selector(selector, d, "MAILER_DKIM_SELECTOR"), origin, null);
    }

    private static DkimKey of(PrivateKey privateKey, PublicKey publicKey, String d, String s, String origin, Path source) {
        if (publicKey instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 1024) {
                throw new Problem("DKIM private key " + origin + " has only " + rsa.getModulus().bitLength()
                        + " bits; receivers ignore such keys: generate a 2048-bit key");
            }
            return new DkimKey(privateKey, publicKey, d, s, DkimAlgorithm.RSA_SHA256,
                    record(DkimAlgorithm.RSA_SHA256, publicKey.getEncoded()), origin, source);
        }
        byte[] spki = publicKey.getEncoded();
        if (publicKey.getAlgorithm().matches("(?i)Ed25519|EdDSA") && spki.length == ED25519_SPKI_PREFIX.length + 32) {
            return new DkimKey(privateKey, publicKey, d, s, DkimAlgorithm.ED25519_SHA256,
                    record(DkimAlgorithm.ED25519_SHA256, Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length)), origin, source);
        }
        throw new Problem("DKIM key " + origin + " is a " + publicKey.getAlgorithm() + " key; only RSA and Ed25519 are supported");
    }

    private static String record(DkimAlgorithm algorithm, byte[] publicKeyBytes) {
        return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(publicKeyBytes);
    }

    private static String domain(String domain) {
        if (domain == null || domain.isBlank()) {
            throw new Problem("DKIM domain is not set: set MAILER_DKIM_DOMAIN to the domain of the From address (e.g. example.org)");
        }
        String d = domain.trim().toLowerCase(Locale.ROOT);
        if (!DNS_NAME.matcher(d).matches()) {
            throw new Problem("DKIM domain '" + domain + "' is not a domain name: fix MAILER_DKIM_DOMAIN");
        }
        return d;
    }

    private static String selector(String selector, String d, String selectorSetting) {
        if (selector == null || selector.isBlank()) {
            throw new Problem("DKIM selector is not set: set " + selectorSetting + " to the selector the TXT record is published under"
                    + " (SELECTOR._domainkey." + d + ")");
        }
        String s = selector.trim();
        if (!DNS_NAME.matcher(s).matches()) {
            throw new Problem("DKIM selector '" + selector + "' is not a DNS label: fix " + selectorSetting);
        }
        return s;
    }

    /** The TXT record text to publish at {@link #dnsName()}, derived from the public key. */
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

    public PublicKey publicKey() {
        return publicKey;
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

    /** The PEM file, or null when the key is on a token (see {@link #origin()}). */
    public Path source() {
        return source;
    }

    /** Where the key is, for messages: the file, or the token and label. */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return "DkimKey[" + algorithm.tag() + " " + dnsName() + " from " + origin + "]";
    }
}
