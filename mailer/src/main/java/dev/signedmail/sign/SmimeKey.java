package dev.signedmail.sign;

import dev.signedmail.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The S/MIME signing key and its certificate chain, read once per run from a PKCS#12 file, a PEM
 * bundle, or a PKCS#11 token ({@link KeyCustody} decides which).
 *
 * <p>Operators get their certificate from a CA as a .p12/.pfx, or as PEM files from tools such as
 * certbot-like ACME clients. On a token the private key is only a handle: signing happens inside
 * the token through the JCA provider, and the key cannot be read out.
 * The root is dropped from the chain because receivers must already trust it; sending it proves
 * nothing and only makes every message bigger. The password is read from a file (never an
 * argument or environment value, which leak into process listings) and never appears in a message.
 */
public final class SmimeKey {
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;
    private final Path source;
    private final String origin;

    private SmimeKey(PrivateKey privateKey, List<X509Certificate> chain, Path source, String origin) {
        this.privateKey = privateKey;
        this.chain = List.copyOf(chain);
        this.source = source;
        this.origin = origin;
    }

    /**
     * The key and certificate chain stored under {@code label} in an already unlocked token
     * keystore (e.g. SunPKCS11's "PKCS11" KeyStore).
     */
    public static SmimeKey fromKeyStore(KeyStore ks, String label, Path config, String origin) {
        try {
            if (!ks.isKeyEntry(label)) {
                throw new Problem("S/MIME key '" + label + "' not found on " + origin + " (it holds " + Collections.list(ks.aliases())
                        + "): fix MAILER_SMIME_PKCS11_LABEL, or import key and certificate with the same label and id");
            }
            Key key = ks.getKey(label, null);
            Certificate[] certs = ks.getCertificateChain(label);
            if (!(key instanceof PrivateKey pk) || certs == null || certs.length == 0) {
                throw new Problem("S/MIME entry '" + label + "' on " + origin + " is not a private key with a certificate");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : certs) {
                X509Certificate x = (X509Certificate) c;
                if (chain.isEmpty() || !isSelfSigned(x)) {
                    chain.add(x);
                }
            }
            return new SmimeKey(pk, chain, config, origin);
        } catch (GeneralSecurityException e) {
            throw new Problem("S/MIME key '" + label + "' on " + origin + " cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** An unencrypted PEM private key followed by the signer certificate and intermediates, in one file. */
    public static SmimeKey loadPem(Path pem) {
        PrivateKey key = null;
        List<X509Certificate> chain = new ArrayList<>();
        try (java.io.Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
             org.bouncycastle.openssl.PEMParser parser = new org.bouncycastle.openssl.PEMParser(r)) {
            org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter keys = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
            org.bouncycastle.cert.jcajce.JcaX509CertificateConverter certs = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof org.bouncycastle.openssl.PEMKeyPair kp) {
                    key = keys.getPrivateKey(kp.getPrivateKeyInfo());
                } else if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo pki) {
                    key = keys.getPrivateKey(pki);
                } else if (o instanceof org.bouncycastle.cert.X509CertificateHolder h) {
                    X509Certificate x = certs.getCertificate(h);
                    if (chain.isEmpty() || !isSelfSigned(x)) {
                        chain.add(x);
                    }
                } else {
                    throw new Problem("S/MIME PEM file " + pem + " holds a " + o.getClass().getSimpleName()
                            + ": it must hold an unencrypted private key and certificates only");
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof Problem p) {
                throw p;
            }
            throw new Problem("S/MIME PEM file " + pem + " cannot be read (" + e.getMessage()
                    + "): it must hold '-----BEGIN PRIVATE KEY-----' and '-----BEGIN CERTIFICATE-----' blocks", e);
        }
        if (key == null || chain.isEmpty()) {
            throw new Problem("S/MIME PEM file " + pem + " must hold the private key and the signer certificate"
                    + " (then intermediates): `cat key.pem cert.pem chain.pem > " + pem.getFileName() + "`");
        }
        if (!chain.get(0).getPublicKey().equals(publicOf(key, chain.get(0)))) {
            throw new Problem("S/MIME PEM file " + pem + ": the first certificate does not belong to the private key;"
                    + " put the signer certificate first, right after the key");
        }
        return new SmimeKey(key, chain, pem, pem.toString());
    }

    /** The certificate's key when it matches {@code key} (checked by a test signature), else null. */
    private static java.security.PublicKey publicOf(PrivateKey key, X509Certificate cert) {
        try {
            String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            java.security.Signature s = java.security.Signature.getInstance(alg);
            s.initSign(key);
            s.update(new byte[] {1});
            byte[] sig = s.sign();
            java.security.Signature v = java.security.Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(new byte[] {1});
            return v.verify(sig) ? cert.getPublicKey() : null;
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** Reads the only private-key entry of {@code pkcs12}; the password is the first line of {@code passwordFile}. */
    public static SmimeKey load(Path pkcs12, Path passwordFile) {
        if (pkcs12 == null || !Files.isRegularFile(pkcs12)) {
            throw new Problem("S/MIME keystore not found: " + pkcs12 + " (set MAILER_SMIME_KEYSTORE to your PKCS#12 file)");
        }
        if (passwordFile == null || !Files.isRegularFile(passwordFile)) {
            throw new Problem("S/MIME keystore password file not found: " + passwordFile
                    + " (set MAILER_SMIME_PASSWORD_FILE to a file holding the keystore password on one line)");
        }
        char[] password = readPassword(passwordFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pkcs12)) {
                ks.load(in, password);
            } catch (IOException e) {
                if (e.getCause() instanceof UnrecoverableKeyException) {
                    throw new Problem("S/MIME keystore " + pkcs12 + " cannot be opened with the password in "
                            + passwordFile + ": wrong password? (the file must hold exactly the keystore password)");
                }
                throw new Problem("S/MIME keystore " + pkcs12 + " is not a readable PKCS#12 file (" + e.getMessage()
                        + "); export key and certificates with `openssl pkcs12 -export`", e);
            }
            List<String> keyAliases = new ArrayList<>();
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    keyAliases.add(alias);
                }
            }
            if (keyAliases.isEmpty()) {
                throw new Problem("S/MIME keystore " + pkcs12 + " holds no private key entry; export the signer's key"
                        + " together with its certificate (`openssl pkcs12 -export -inkey KEY -in CERT -certfile CHAIN`)");
            }
            if (keyAliases.size() > 1) {
                throw new Problem("S/MIME keystore " + pkcs12 + " holds " + keyAliases.size() + " private keys "
                        + keyAliases + "; export a keystore with only the signer's key");
            }
            String alias = keyAliases.get(0);
            Key key;
            try {
                key = ks.getKey(alias, password);
            } catch (UnrecoverableKeyException e) {
                throw new Problem("S/MIME key in " + pkcs12 + " cannot be decrypted with the password in "
                        + passwordFile + ": re-export it with the same password for key and keystore");
            }
            if (!(key instanceof PrivateKey pk)) {
                throw new Problem("S/MIME keystore " + pkcs12 + " entry '" + alias + "' is not a private key");
            }
            Certificate[] certs = ks.getCertificateChain(alias);
            if (certs == null || certs.length == 0 || !(certs[0] instanceof X509Certificate)) {
                throw new Problem("S/MIME keystore " + pkcs12 + " has a private key without its certificate;"
                        + " export the key together with its certificate");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : certs) {
                X509Certificate x = (X509Certificate) c;
                if (!chain.isEmpty() && isSelfSigned(x)) {
                    continue; // the root: receivers must already trust it
                }
                chain.add(x);
            }
            return new SmimeKey(pk, chain, pkcs12, pkcs12.toString());
        } catch (GeneralSecurityException e) {
            throw new Problem("S/MIME keystore " + pkcs12 + " cannot be read (" + e.getMessage()
                    + "); check that it is a PKCS#12 file", e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    static char[] readPassword(Path passwordFile) {
        try {
            String s = Files.readString(passwordFile, StandardCharsets.UTF_8);
            int end = s.indexOf('\n');
            if (end >= 0) {
                s = s.substring(0, end);
            }
            if (s.endsWith("\r")) {
                s = s.substring(0, s.length() - 1);
            }
            return s.toCharArray();
        } catch (IOException e) {
            throw new Problem("S/MIME keystore password file " + passwordFile + " cannot be read (" + e.getMessage()
                    + "); check MAILER_SMIME_PASSWORD_FILE and its permissions", e);
        }
    }

    private static boolean isSelfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The signer's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** Signer first, then intermediates; never the root. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The file the key came from (for a token: its PKCS#11 configuration file). */
    public Path source() {
        return source;
    }

    /** Where the key is, for messages that tell the operator what to fix: the file, or the token and label. */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return "SmimeKey[" + certificate().getSubjectX500Principal() + " from " + origin + "]";
    }
}
