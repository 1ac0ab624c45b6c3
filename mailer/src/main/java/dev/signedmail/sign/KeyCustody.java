package dev.signedmail.sign;

import dev.signedmail.Problem;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import dev.signedmail.verify.KeyRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where the signing keys live, as the settings say: files (PKCS#12 or PEM) or a PKCS#11 token.
 *
 * <p>Why a token: a stolen login or a copied backup must not mean a stolen key. With
 * {@code smime.pkcs11.label} / {@code dkim.pkcs11.label} the private keys stay inside the token
 * (HSM, smart card, SoftHSM); we hold only handles, and every signature is made by the token
 * through the JDK's SunPKCS11 provider. The PIN comes from a file, never an argument.
 *
 * <p>Ed25519 DKIM keys come from PEM only: the JDK 17 SunPKCS11 provider has no EdDSA.
 */
public final class KeyCustody {
    private final Settings settings;
    private KeyStore token;
    private String tokenName;

    public KeyCustody(Settings settings) {
        this.settings = settings;
    }

    /** The S/MIME key: from the token when {@code smime.pkcs11.label} is set, else {@code smime.keystore}. */
    public SmimeKey smimeKey() {
        String label = settings.string(Setting.SMIME_PKCS11_LABEL);
        if (label != null && !label.isBlank()) {
            return SmimeKey.fromKeyStore(token(), label.strip(), settings.path(Setting.PKCS11_CONFIG), tokenName + " label '" + label.strip() + "'");
        }
        Path keystore = settings.path(Setting.SMIME_KEYSTORE);
        if (keystore == null) {
            throw new Problem("no S/MIME key configured: set MAILER_SMIME_KEYSTORE to a PKCS#12 or PEM file, or"
                    + " MAILER_SMIME_PKCS11_LABEL (with MAILER_PKCS11_CONFIG) for a key on a token");
        }
        String name = keystore.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".pem") || name.endsWith(".crt")) {
            if (!Files.isRegularFile(keystore)) {
                throw new Problem("S/MIME PEM file not found: " + keystore + " (fix MAILER_SMIME_KEYSTORE)");
            }
            return SmimeKey.loadPem(keystore);
        }
        return SmimeKey.load(keystore, settings.requiredPath(Setting.SMIME_PASSWORD_FILE));
    }

    /** The RSA DKIM key: from the token when {@code dkim.pkcs11.label} is set, else {@code dkim.key}. */
    public DkimKey rsaDkimKey() {
        String domain = settings.required(Setting.DKIM_DOMAIN);
        String selector = settings.required(Setting.DKIM_SELECTOR);
        String label = settings.string(Setting.DKIM_PKCS11_LABEL);
        if (label != null && !label.isBlank()) {
            String l = label.strip();
            String origin = tokenName() + " label '" + l + "'";
            try {
                KeyStore ks = token();
                Key key = ks.isKeyEntry(l) ? ks.getKey(l, null) : null;
                Certificate cert = ks.getCertificate(l);
                if (!(key instanceof PrivateKey pk) || cert == null) {
                    throw new Problem("DKIM key '" + l + "' not found on " + origin + ": fix MAILER_DKIM_PKCS11_LABEL; the token"
                            + " must hold the private key and a certificate (any, e.g. self-signed) with the same label and id");
                }
                return DkimKey.of(pk, cert.getPublicKey(), domain, selector, origin);
            } catch (GeneralSecurityException e) {
                throw new Problem("DKIM key '" + l + "' on " + origin + " cannot be read (" + e.getMessage() + ")", e);
            }
        }
        return DkimKey.load(settings.requiredPath(Setting.DKIM_KEY), domain, selector);
    }

    /** The ed25519-sha256 key when {@code dkim.ed25519.key} is set, else null. */
    public DkimKey ed25519DkimKey() {
        Path pem = settings.path(Setting.DKIM_ED25519_KEY);
        if (pem == null) {
            return null;
        }
        DkimKey k = DkimKey.load(pem, settings.required(Setting.DKIM_DOMAIN), settings.string(Setting.DKIM_ED25519_SELECTOR),
                "MAILER_DKIM_ED25519_KEY", "MAILER_DKIM_ED25519_SELECTOR");
        if (k.algorithm() != DkimAlgorithm.ED25519_SHA256) {
            throw new Problem("MAILER_DKIM_ED25519_KEY " + pem + " is not an Ed25519 key: generate one with `openssl genpkey -algorithm ed25519`");
        }
        return k;
    }

    /** Every active DKIM key: RSA first, then Ed25519 when configured. */
    public List<DkimKey> dkimKeys() {
        List<DkimKey> keys = new ArrayList<>();
        keys.add(rsaDkimKey());
        DkimKey ed = ed25519DkimKey();
        if (ed != null) {
            if (ed.selector().equalsIgnoreCase(keys.get(0).selector())) {
                throw new Problem("MAILER_DKIM_ED25519_SELECTOR must differ from MAILER_DKIM_SELECTOR (" + ed.selector()
                        + "): each key needs its own DNS record");
            }
            keys.add(ed);
        }
        return keys;
    }

    /**
     * The DKIM signers in signing order. The RSA signature is made last so it ends up on top:
     * tools that check only the first DKIM-Signature (and receivers that know only rsa-sha256)
     * see the one they understand.
     */
    public List<DkimSigner> dkimSigners() {
        return dkimSigners(dkimKeys());
    }

    /** Signers for {@code keys} (as from {@link #dkimKeys()}), in signing order. */
    public List<DkimSigner> dkimSigners(List<DkimKey> keys) {
        int days = settings.integer(Setting.DKIM_EXPIRY_DAYS, 0, 3650);
        Duration expiry = days == 0 ? null : Duration.ofDays(days);
        List<DkimSigner> signers = new ArrayList<>();
        for (DkimKey k : keys) {
            signers.add(0, new DkimSigner(k, expiry));
        }
        return signers;
    }

    /** Retired selectors that stay published for a while ({@code dkim.previous.selectors}). */
    public List<String> previousSelectors() {
        String v = settings.string(Setting.DKIM_PREVIOUS_SELECTORS);
        return v == null || v.isBlank() ? List.of() : Arrays.stream(v.split("[,\\s]+")).filter(s -> !s.isBlank()).toList();
    }

    /**
     * Where the pre-flight reads DKIM records: {@code spec} is "off" (null result), "live" or a
     * JSON file; null means the {@code keys.check.dns} setting.
     */
    public KeyRecords dkimRecords(String spec) {
        String v = spec != null ? spec.strip() : settings.string(Setting.KEYS_CHECK_DNS);
        if (v == null || v.isBlank() || v.equalsIgnoreCase("off")) {
            return null;
        }
        if (v.equalsIgnoreCase("live")) {
            return KeyRecords.liveDns();
        }
        Path file = spec != null ? Path.of(v) : settings.path(Setting.KEYS_CHECK_DNS);
        if (!Files.isRegularFile(file)) {
            throw new Problem("DKIM records file " + file + " not found: keys.check.dns (or --dns) must be off, live or a JSON file");
        }
        return KeyRecords.fromJson(file);
    }

    /** Runs the key pre-flight on the given keys (see {@link KeyCheck}). */
    public List<KeyCheck.Finding> check(SmimeKey smime, List<DkimKey> dkim, KeyRecords dns, Instant now) {
        return KeyCheck.run(smime, settings.from().getAddress(), settings.path(Setting.SMIME_CA_FILE), dkim, dns, now,
                settings.integer(Setting.KEYS_WARN_DAYS, 0, 3650));
    }

    private String tokenName() {
        Path config = settings.path(Setting.PKCS11_CONFIG);
        return "PKCS#11 token (" + config + ")";
    }

    /** The token's keystore, unlocked with the PIN from {@code pkcs11.pin.file}; opened once. */
    synchronized KeyStore token() {
        if (token != null) {
            return token;
        }
        Path config = settings.path(Setting.PKCS11_CONFIG);
        tokenName = tokenName();
        if (config == null || !Files.isRegularFile(config)) {
            throw new Problem("PKCS#11 configuration file not found: " + config + " (set MAILER_PKCS11_CONFIG to a SunPKCS11"
                    + " config with 'name = ...' and 'library = /path/to/module.so')");
        }
        Path pinFile = settings.path(Setting.PKCS11_PIN_FILE);
        if (pinFile == null || !Files.isRegularFile(pinFile)) {
            throw new Problem("PKCS#11 PIN file not found: " + pinFile + " (set MAILER_PKCS11_PIN_FILE to a file holding the user PIN)");
        }
        token = open(config, pinFile, tokenName);
        return token;
    }

    /** Configures SunPKCS11 with {@code config}, registers it (so JCA finds it for the token's keys) and logs in. */
    public static KeyStore open(Path config, Path pinFile, String name) {
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new Problem("this Java runtime has no SunPKCS11 provider: use a full JDK/JRE 17 build to use " + name);
        }
        Provider p;
        try {
            p = base.configure(config.toString());
        } catch (RuntimeException e) {
            throw new Problem(name + " cannot be opened (" + rootMessage(e) + "): check 'library' and 'slot' in " + config, e);
        }
        if (Security.getProvider(p.getName()) == null) {
            Security.addProvider(p);
        } else {
            p = Security.getProvider(p.getName());
        }
        char[] pin = SmimeKey.readPassword(pinFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS11", p);
            ks.load(null, pin);
            return ks;
        } catch (IOException e) {
            throw new Problem(name + " refused the PIN in " + pinFile + " (" + rootMessage(e) + "): check the PIN file", e);
        } catch (GeneralSecurityException e) {
            throw new Problem(name + " cannot be read (" + rootMessage(e) + ")", e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
