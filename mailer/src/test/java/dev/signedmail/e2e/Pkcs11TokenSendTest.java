package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signedmail.TestSupport;
import dev.signedmail.sign.KeyCustody;
import dev.signedmail.testing.CliRun;
import dev.signedmail.testing.ExternalTools;
import dev.signedmail.testing.Verifiers;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key custody: the demo S/MIME and DKIM keys imported into a fresh SoftHSM2 token as sensitive,
 * non-extractable objects; a release sent with only the token's labels configured (no key files)
 * verifies in OpenSSL and Python dkim, and the keys cannot be read out of the token.
 *
 * <p>SoftHSM reads its configuration from {@code SOFTHSM2_CONF}, which surefire sets to
 * {@code target/softhsm/softhsm2.conf}; this test writes that file to point at a token folder in a
 * temporary directory, so every run starts with a fresh token.
 */
class Pkcs11TokenSendTest {
    private static final String PIN = "4711-test-pin";

    @TempDir
    Path dir;

    private Verifiers.Result run(Map<String, String> env, String... command) throws Exception {
        Path out = dir.resolve("proc.out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + List.of(command));
        return new Verifiers.Result(p.exitValue(), Files.readString(out));
    }

    private Verifiers.Result ok(Map<String, String> env, String... command) throws Exception {
        Verifiers.Result r = run(env, command);
        assertEquals(0, r.exitCode(), List.of(command) + ": " + r.output());
        return r;
    }

    @Test
    void aReleaseSignedInsideTheTokenVerifiesAndTheKeysCannotBeExported() throws Exception {
        Path softhsmUtil = ExternalTools.require("softhsm2-util", "softhsm2");
        Path pkcs11Tool = ExternalTools.require("pkcs11-tool", "opensc");
        Path module = ExternalTools.require("/usr/lib/softhsm/libsofthsm2.so", "softhsm2");
        String conf = System.getenv("SOFTHSM2_CONF");
        assertNotNull(conf, "SOFTHSM2_CONF is set by surefire (mailer/pom.xml)");

        // A fresh token.
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        Files.createDirectories(Path.of(conf).getParent());
        Files.writeString(Path.of(conf), "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        Map<String, String> env = Map.of("SOFTHSM2_CONF", conf);
        Verifiers.Result init = ok(env, softhsmUtil.toString(), "--init-token", "--free", "--label", "mailer",
                "--pin", PIN, "--so-pin", "so-" + PIN);
        Matcher slot = Pattern.compile("reassigned to slot (\\d+)").matcher(init.output());
        assertTrue(slot.find(), init.output());

        // The demo keys, as PEM (openssl), into the token; certificates beside them with the same id.
        Path keys = TestSupport.keys();
        String pass = "file:" + keys.resolve("signer.p12.password");
        Path smimeKey = dir.resolve("smime.key");
        Files.writeString(smimeKey, ok(Map.of(), "openssl", "pkcs12", "-in", keys.resolve("signer.p12").toString(), "-nocerts",
                "-nodes", "-passin", pass).output().replaceAll("(?s)^.*?(-----BEGIN PRIVATE KEY-----)", "$1"));
        ok(Map.of(), "openssl", "pkcs12", "-in", keys.resolve("signer.p12").toString(), "-clcerts", "-nokeys", "-passin", pass,
                "-out", dir.resolve("smime.pem").toString());
        ok(Map.of(), "openssl", "x509", "-in", dir.resolve("smime.pem").toString(), "-outform", "DER", "-out", dir.resolve("smime.der").toString());
        ok(Map.of(), "openssl", "x509", "-in", keys.resolve("intermediate.pem").toString(), "-outform", "DER",
                "-out", dir.resolve("intermediate.der").toString());
        ok(Map.of(), "openssl", "req", "-x509", "-key", keys.resolve("dkim-private.pem").toString(), "-subj", "/CN=DKIM demo key holder",
                "-days", "3650", "-outform", "DER", "-out", dir.resolve("dkim.der").toString());
        ok(env, softhsmUtil.toString(), "--import", smimeKey.toString(), "--token", "mailer", "--label", "smime", "--id", "01", "--pin", PIN);
        ok(env, softhsmUtil.toString(), "--import", keys.resolve("dkim-private.pem").toString(), "--token", "mailer", "--label", "dkim",
                "--id", "02", "--pin", PIN);
        String[] p11 = {pkcs11Tool.toString(), "--module", module.toString(), "--token-label", "mailer", "--login", "--pin", PIN};
        for (String[] obj : new String[][] {{"smime.der", "01", "smime"}, {"dkim.der", "02", "dkim"}, {"intermediate.der", "03", "intermediate"}}) {
            List<String> cmd = new ArrayList<>(List.of(p11));
            cmd.addAll(List.of("--write-object", dir.resolve(obj[0]).toString(), "--type", "cert", "--id", obj[1], "--label", obj[2]));
            ok(env, cmd.toArray(String[]::new));
        }
        Files.delete(smimeKey); // from now on the only copy of the key material we use is in the token

        Path pkcs11Config = Files.writeString(dir.resolve("pkcs11.cfg"),
                "name = SoftHSMTest\nlibrary = " + module + "\nslot = " + slot.group(1) + "\n");
        Path pinFile = Files.writeString(dir.resolve("pin"), PIN + "\n");

        // A send configured with token labels only: no smime.keystore, no dkim.key.
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), smtp.getSmtp().getPort());
            cfg.remove("smime.keystore");
            cfg.remove("smime.password.file");
            cfg.remove("dkim.key");
            cfg.put("smime.pkcs11.label", "smime");
            cfg.put("dkim.pkcs11.label", "dkim");
            cfg.put("pkcs11.config", pkcs11Config.toString());
            cfg.put("pkcs11.pin.file", pinFile.toString());
            StringBuilder props = new StringBuilder();
            cfg.forEach((k, v) -> props.append(k).append(" = ").append(v).append('\n'));
            String config = Files.writeString(dir.resolve("mailer.properties"), props).toString();
            assertEquals(0, CliRun.of("--config", config, "init").exitCode);
            assertEquals(0, CliRun.of("--config", config, "subscribers", "add", "zoe@example.com", "--name", "Zoë").exitCode);
            Path body = Files.writeString(dir.resolve("body.md"), "Signed inside the token.\n");
            dev.signedmail.testing.Flow flow;
            try (dev.signedmail.MailerRuntime rt = dev.signedmail.MailerRuntime.open(dev.signedmail.config.Settings.of(cfg))) {
                flow = dev.signedmail.testing.Flow.operators(rt, dir.resolve("tokens"));
            }
            String ed = flow.editorToken.toString();
            String ap = flow.approverToken.toString();
            CliRun created = CliRun.of("--config", config, "--token-file", ed, "release", "create", "--title", "Token test",
                    "--body", body.toString(), "--summary", "Token", "--link", "https://example.org/n/1");
            assertEquals(0, created.exitCode, created.toString());
            String id = created.out().strip();
            assertEquals(0, CliRun.of("--config", config, "--token-file", ed, "release", "submit", id).exitCode);
            assertEquals(0, CliRun.of("--config", config, "--token-file", ap, "release", "approve", id).exitCode);
            CliRun send = CliRun.of("--config", config, "--token-file", ap, "release", "send", id);
            assertEquals(0, send.exitCode, send.toString());
            MimeMessage[] received = smtp.getReceivedMessages();
            assertEquals(1, received.length, send.toString());
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            received[0].writeTo(raw);
            Path eml = Files.write(dir.resolve("token.eml"), raw.toByteArray());
            Verifiers.Result openssl = Verifiers.opensslVerify(eml, keys.resolve("ca.pem"));
            assertEquals(0, openssl.exitCode(), openssl.output());
            assertTrue(Verifiers.pythonDkimVerify(raw.toByteArray(), Files.readString(keys.resolve("dkim.txt"))), "python dkim");
        } finally {
            smtp.stop();
        }

        // The keys cannot leave the token: the JCA handles have no encoding, and the token says so.
        KeyStore token = KeyCustody.open(pkcs11Config, pinFile, "test token");
        for (String label : List.of("smime", "dkim")) {
            Key key = token.getKey(label, null);
            assertTrue(key instanceof PrivateKey, label);
            assertTrue(key.getClass().getName().contains("P11"), key.getClass().getName());
            assertNull(key.getEncoded(), label + ": a sensitive token key has no encoding");
            // SunPKCS11 reads CKA_SENSITIVE / CKA_EXTRACTABLE from the token and shows them here
            assertTrue(key.toString().contains("unextractable") && key.toString().contains("sensitive"), key.toString());
        }
        List<String> list = new ArrayList<>(List.of(p11));
        list.addAll(List.of("--list-objects", "--type", "privkey"));
        String objects = ok(env, list.toArray(String[]::new)).output();
        assertTrue(objects.contains("sensitive"), objects);
        assertFalse(objects.contains("extractable"), "pkcs11-tool shows 'extractable' for exportable keys: " + objects);
    }
}
