package dev.signedmail.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS key and self-signed certificate for a test server, made by the JDK's keytool (not by
 * code of ours), and a client trust that accepts exactly that certificate.
 */
public final class TestCertificates {
    private static final String PASSWORD = "test-only";

    private final KeyStore keys;

    private TestCertificates(KeyStore keys) {
        this.keys = keys;
    }

    /** A certificate whose subject alternative name is {@code san} (e.g. "ip:127.0.0.1", "dns:other.test"). */
    public static TestCertificates make(Path dir, String san) throws Exception {
        Path file = dir.resolve("relay-" + san.replaceAll("[^a-z0-9]", "_") + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "relay", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=relay.test", "-ext", "san=" + san,
                "-keystore", file.toString(), "-storetype", "PKCS12", "-storepass:env", "TEST_STOREPASS"))
                .redirectErrorStream(true);
        pb.environment().put("TEST_STOREPASS", PASSWORD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return new TestCertificates(ks);
    }

    /** The server side: presents this certificate. */
    public SSLContext serverContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** A client that trusts this certificate and nothing else. */
    public SSLSocketFactory clientTrustingIt() throws Exception {
        Certificate cert = keys.getCertificate("relay");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("relay", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }
}
