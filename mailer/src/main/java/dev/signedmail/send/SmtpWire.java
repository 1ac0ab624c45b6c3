package dev.signedmail.send;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One open SMTP session with the relay, ready for mail transactions: connected, greeted, TLS
 * where configured (RFC 8314 implicit TLS, or RFC 3207 STARTTLS, required), EHLO'd, and
 * authenticated (RFC 4954 PLAIN or LOGIN) where a user is set. It writes commands and message
 * data and reads replies, over buffers of its own: a send writes a few commands and one message
 * per recipient, and per-byte synchronised streams cost more than the protocol does.
 */
final class SmtpWire implements AutoCloseable {

    /** A reply that ends the opening of the session (a 421 greeting, a refused STARTTLS or AUTH). */
    static final class Refused extends IOException {
        final SmtpReply reply;

        Refused(String step, SmtpReply reply) {
            super(step + ": " + reply.text());
            this.reply = reply;
        }
    }

    private final Socket plain;
    private Socket socket;
    private Input in;
    private OutputStream out;
    /** EHLO keywords in upper case: PIPELINING, STARTTLS, AUTH, ... */
    private Set<String> extensions = Set.of();
    private Set<String> authMechanisms = Set.of();

    private SmtpWire(Socket plain) {
        this.plain = plain;
        this.socket = plain;
    }

    /** Opens a session; the caller closes it. Nothing is logged here: AUTH carries the password. */
    static SmtpWire open(SmtpRelay relay) throws IOException {
        Socket s = new Socket();
        SmtpWire wire = new SmtpWire(s);
        try {
            s.setTcpNoDelay(true); // Nagle meeting the relay's delayed ACK stalled each message ~40 ms
            s.setSoTimeout(relay.timeoutMillis());
            s.connect(new InetSocketAddress(relay.host(), relay.port()), relay.timeoutMillis());
            if (relay.tls() == dev.signedmail.config.Settings.TlsMode.TLS) {
                wire.startTls(relay);
            } else {
                wire.streams();
            }
            SmtpReply greeting = wire.reply();
            if (greeting.code() != 220) {
                throw new Refused("the relay's greeting", greeting);
            }
            wire.hello(relay);
            if (relay.tls() == dev.signedmail.config.Settings.TlsMode.STARTTLS) {
                if (!wire.extensions.contains("STARTTLS")) {
                    throw new IOException("the relay does not offer STARTTLS, and smtp.tls = starttls requires it");
                }
                SmtpReply r = wire.command("STARTTLS");
                if (r.code() != 220) {
                    throw new Refused("STARTTLS", r);
                }
                wire.startTls(relay);
                wire.hello(relay); // RFC 3207 §4.2: forget what was learnt before TLS
            }
            if (relay.user() != null) {
                wire.authenticate(relay.user(), relay.password());
            }
            return wire;
        } catch (IOException | RuntimeException e) {
            wire.closeSocket();
            throw e;
        }
    }

    /** The socket under any TLS: closing it ends a blocked write (the {@link StallWatchdog}). */
    Socket plainSocket() {
        return plain;
    }

    boolean pipelining() {
        return extensions.contains("PIPELINING");
    }

    /** RFC 3030 CHUNKING: the relay takes a message as BDAT with its size, without dot-stuffing. */
    boolean chunking() {
        return extensions.contains("CHUNKING");
    }

    private void streams() throws IOException {
        in = new Input(socket.getInputStream());
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    private void startTls(SmtpRelay relay) throws IOException {
        SSLSocket tls = (SSLSocket) relay.tlsSockets().createSocket(plain, relay.host(), relay.port(), true);
        SSLParameters p = tls.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the relay's host
        tls.setSSLParameters(p);
        tls.startHandshake();
        socket = tls;
        // new buffers: anything read before the handshake (plain text a man in the middle slipped in
        // after the 220, CVE-2011-0411's kind) is dropped, never taken as the relay's reply
        streams();
    }

    /** EHLO, or HELO where the relay does not know EHLO (RFC 5321 §3.2). */
    private void hello(SmtpRelay relay) throws IOException {
        SmtpReply r = command("EHLO " + relay.heloDomain());
        if (r.code() == 250) {
            java.util.Set<String> ext = new java.util.HashSet<>();
            java.util.Set<String> auth = new java.util.HashSet<>();
            for (String line : r.lines().subList(1, r.lines().size())) {
                String[] words = line.toUpperCase(Locale.ROOT).split("\\s+");
                ext.add(words[0]);
                if (words[0].equals("AUTH")) {
                    auth.addAll(java.util.Arrays.asList(words).subList(1, words.length));
                }
            }
            extensions = Set.copyOf(ext);
            authMechanisms = Set.copyOf(auth);
            return;
        }
        if (r.code() == 421) {
            throw new Refused("EHLO", r);
        }
        SmtpReply helo = command("HELO " + relay.heloDomain());
        if (helo.code() != 250) {
            throw new Refused("HELO", helo);
        }
        extensions = Set.of();
        authMechanisms = Set.of();
    }

    private void authenticate(String user, String password) throws IOException {
        Base64.Encoder b64 = Base64.getEncoder();
        SmtpReply r;
        if (authMechanisms.contains("PLAIN")) {
            byte[] token = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
            r = command("AUTH PLAIN " + b64.encodeToString(token));
        } else if (authMechanisms.contains("LOGIN")) {
            r = command("AUTH LOGIN");
            if (r.code() == 334) {
                r = command(b64.encodeToString(user.getBytes(StandardCharsets.UTF_8)));
            }
            if (r.code() == 334) {
                r = command(b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            throw new IOException("smtp.user is set, but the relay offers no AUTH PLAIN or LOGIN"
                    + (extensions.contains("AUTH") ? " (it offers " + authMechanisms + ")" : " (it offers no AUTH at all)"));
        }
        if (r.code() != 235) {
            throw new Refused("AUTH as " + user, r);
        }
    }

    /** Sends one command and reads its reply. */
    SmtpReply command(String line) throws IOException {
        write(line);
        out.flush();
        return reply();
    }

    /** Queues one command without flushing (RFC 2920: the replies are read afterwards, in order). */
    void write(String line) throws IOException {
        if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a line break inside an SMTP command"); // would inject a command
        }
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }

    void flush() throws IOException {
        out.flush();
    }

    SmtpReply reply() throws IOException {
        return SmtpReply.read(in);
    }

    /**
     * Writes the message after DATA's 354 and the final dot, and flushes. RFC 5321 §4.5.2: a line
     * starting with "." gets another one. The bytes are otherwise sent as they are (they are
     * signed): a bare CR or LF, which the signers never produce, becomes CRLF, as any relay would.
     */
    void data(byte[] m) throws IOException {
        int start = 0;
        boolean lineStart = true;
        for (int i = 0; i < m.length; i++) {
            byte b = m[i];
            if (lineStart && b == '.') {
                out.write(m, start, i - start);
                out.write('.');
                start = i; // the dot itself goes out with the rest of the line
            }
            if (b == '\r' && i + 1 < m.length && m[i + 1] == '\n') {
                i++;
                lineStart = true;
            } else if (b == '\r' || b == '\n') {
                out.write(m, start, i - start);
                out.write(CRLF);
                start = i + 1;
                lineStart = true;
            } else {
                lineStart = false;
            }
        }
        out.write(m, start, m.length - start);
        if (!lineStart || m.length == 0) {
            out.write(CRLF);
        }
        out.write(END_OF_DATA);
        out.flush();
    }

    /**
     * Queues {@code BDAT <size> LAST} and the message as it is, and flushes (RFC 3030 §2):
     *
     * <pre>
     * bdat-cmd   ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF
     * chunk-size ::= 1*DIGIT
     * end-marker ::= "LAST"
     * </pre>
     *
     * The size tells the relay where the message ends, so nothing is dot-stuffed. Only for a
     * message whose every line ends in CRLF ({@link #crlfLines}): a bare CR or LF would reach the
     * relay unchanged, where {@link #data} mends it.
     */
    void bdat(byte[] m) throws IOException {
        write("BDAT " + m.length + " LAST");
        out.write(m);
        out.flush();
    }

    /** Every line of {@code m} ends in CRLF, the last one too, and no CR or LF stands alone. */
    static boolean crlfLines(byte[] m) {
        if (m.length < 2 || m[m.length - 2] != '\r' || m[m.length - 1] != '\n') {
            return false;
        }
        for (int i = 0; i < m.length; i++) {
            if (m[i] == '\r') {
                if (m[i + 1] != '\n') { // i + 1 exists: the last CR is followed by the final LF
                    return false;
                }
                i++;
            } else if (m[i] == '\n') {
                return false;
            }
        }
        return true;
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] END_OF_DATA = {'.', '\r', '\n'};

    /** Says QUIT without waiting for the answer (nothing depends on it) and closes the socket. */
    @Override
    public void close() {
        try {
            if (out != null) {
                write("QUIT");
                out.flush();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing a broken connection: nothing to save
        }
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            plain.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** A buffered input without the per-read lock of {@link java.io.BufferedInputStream}; one thread reads. */
    private static final class Input extends InputStream {
        private final InputStream raw;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int limit;

        Input(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            if (pos == limit) {
                int n = raw.read(buf, 0, buf.length);
                if (n <= 0) {
                    return -1;
                }
                pos = 0;
                limit = n;
            }
            return buf[pos++] & 0xff;
        }
    }
}
