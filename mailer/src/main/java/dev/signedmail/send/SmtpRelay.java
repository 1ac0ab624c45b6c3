package dev.signedmail.send;

import dev.signedmail.Problem;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import javax.net.ssl.SSLSocketFactory;

/**
 * How to reach the relay: host, port, TLS, credentials and the time limit, shared by all
 * connections of a run ({@link SmtpConnection}). Certificates are checked against the JVM's trust
 * store (a relay with a private CA: {@code -Djavax.net.ssl.trustStore=...}).
 */
public final class SmtpRelay {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String envelopeFrom;
    private final int timeoutMs;
    private final Settings.TlsMode tls;
    private final SSLSocketFactory tlsSockets;
    private final boolean chunking;

    /** host:port, the label of this relay's counters in /metrics. */
    public String name() {
        return host + ":" + port;
    }

    public SmtpRelay(Settings settings, String envelopeFrom) {
        this(settings, envelopeFrom, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** With the TLS sockets of {@code tlsSockets}: its trust decides which relay certificates are accepted. */
    SmtpRelay(Settings settings, String envelopeFrom, SSLSocketFactory tlsSockets) {
        this.host = settings.required(Setting.SMTP_HOST);
        this.port = settings.integer(Setting.SMTP_PORT, 1, 65535);
        this.user = settings.string(Setting.SMTP_USER);
        this.password = settings.secretFromFile(Setting.SMTP_PASSWORD_FILE);
        if (user != null && password == null) {
            throw new Problem("smtp.user is set but no password: put it in a file and set MAILER_SMTP_PASSWORD_FILE");
        }
        this.envelopeFrom = envelopeFrom;
        this.timeoutMs = settings.integer(Setting.SMTP_TIMEOUT_SECONDS, 1, 3600) * 1000;
        this.tls = settings.smtpTls();
        this.tlsSockets = tlsSockets;
        this.chunking = settings.bool(Setting.SMTP_CHUNKING);
    }

    /** The longest a message may be on the wire (and each connect or read may wait), in milliseconds. */
    int timeoutMillis() {
        return timeoutMs;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    String envelopeFrom() {
        return envelopeFrom;
    }

    Settings.TlsMode tls() {
        return tls;
    }

    SSLSocketFactory tlsSockets() {
        return tlsSockets;
    }

    /** Whether to send with BDAT where the relay offers CHUNKING and PIPELINING ({@code smtp.chunking}). */
    boolean chunking() {
        return chunking;
    }

    /** The name this client gives in EHLO: the domain of its envelope sender. */
    String heloDomain() {
        return envelopeFrom.substring(envelopeFrom.indexOf('@') + 1);
    }
}
