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
 * The S/MIME signing key and its certificate chain, read once per run from a PKCS#12 file.
 *
 * <p>Operators get their certificate from a CA as a .p12/.pfx, so that is the one format we read.
 * The root is dropped from the chain because receivers must already trust it; sending it proves
 * nothing and only makes every message bigger. The password is read from a file (never an
 * argument or environment value, which leak into process listings) and never appears in a message.
 */
public final class SmimeKey {
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;
    private final Path source;

    private SmimeKey(PrivateKey privateKey, List<X509Certificate> chain, Path source) {
        this.privateKey = privateKey;
        this.chain = List.copyOf(chain);
        this.source = source;
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
            return new SmimeKey(pk, chain, pkcs12);
        } catch (GeneralSecurityException e) {
            throw new Problem("S/MIME keystore " + pkcs12 + " cannot be read (" + e.getMessage()
                    + "); check that it is a PKCS#12 file", e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] readPassword(Path passwordFile) {
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

    /** Where the key came from, for messages that tell the operator which file to fix. */
    public Path source() {
        return source;
    }

    @Override
    public String toString() {
        return "SmimeKey[" + certificate().getSubjectX500Principal() + " from " + source + "]";
    }
}
