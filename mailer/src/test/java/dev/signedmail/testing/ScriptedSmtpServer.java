package dev.signedmail.testing;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real SMTP server on loopback whose answer to each RCPT TO is scripted, for the faults
 * GreenMail cannot produce (a 550 for one recipient, a 451, a relay that goes away). It speaks
 * enough of RFC 5321 for an SMTP client: EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffing), RSET, NOOP,
 * QUIT, and where asked PIPELINING, CHUNKING (RFC 3030 BDAT), implicit TLS or STARTTLS (RFC 3207)
 * and AUTH PLAIN (RFC 4954). A scripted DATA fault applies to a message sent with BDAT too.
 * Accepted messages are kept with their recipients, whether they came over TLS, and who logged in.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** A message the server accepted with 250 after DATA or the last BDAT chunk. */
    public record Received(String mailFrom, List<String> recipients, byte[] data, boolean tls, String user) {
    }

    private final ServerSocket socket;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Function<String, String> rcptReply;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> rcptAttempts = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;
    /** The greeting line; a 421 here makes the server refuse whole connections (an overloaded relay). */
    private volatile java.util.function.Supplier<String> greeting = () -> "220 scripted.test ESMTP";
    /** Answer to the n-th DATA (1-based, counted over all sessions): null accepts, "RESET" drops the connection. */
    private volatile Function<Integer, String> dataFault = n -> null;
    private final AtomicInteger dataCount = new AtomicInteger();
    private volatile boolean pipelining = true;
    private volatile boolean chunking;
    private final AtomicInteger bdatCommands = new AtomicInteger();
    private volatile javax.net.ssl.SSLContext tls;
    private volatile boolean implicitTls;
    private volatile String authUser;
    private volatile String authPassword;
    /** MAIL commands that arrived with the next command already behind them (a pipelining client). */
    private final AtomicInteger pipelinedMail = new AtomicInteger();
    private final AtomicInteger mailCommands = new AtomicInteger();

    /** Whether EHLO offers PIPELINING (it does unless told not to). */
    public ScriptedSmtpServer pipelining(boolean offer) {
        this.pipelining = offer;
        return this;
    }

    /** Whether EHLO offers CHUNKING (it does not unless told to). */
    public ScriptedSmtpServer chunking(boolean offer) {
        this.chunking = offer;
        return this;
    }

    /** BDAT commands received, over all sessions. */
    public int bdatCommands() {
        return bdatCommands.get();
    }

    /** Speaks TLS with {@code context}'s key: from the first byte ({@code implicit}) or after STARTTLS. */
    public ScriptedSmtpServer tls(javax.net.ssl.SSLContext context, boolean implicit) {
        this.tls = context;
        this.implicitTls = implicit;
        return this;
    }

    /** Offers AUTH PLAIN and takes mail only from a client that logged in as {@code user}. */
    public ScriptedSmtpServer auth(String user, String password) {
        this.authUser = user;
        this.authPassword = password;
        return this;
    }

    public int pipelinedMail() {
        return pipelinedMail.get();
    }

    public int mailCommands() {
        return mailCommands.get();
    }

    public ScriptedSmtpServer greeting(java.util.function.Supplier<String> g) {
        this.greeting = g;
        return this;
    }

    public ScriptedSmtpServer dataFault(Function<Integer, String> f) {
        this.dataFault = f;
        return this;
    }

    /** {@code rcptReply} maps a recipient address to a reply line, or null for "250 OK". */
    public ScriptedSmtpServer(Function<String, String> rcptReply) throws IOException {
        this.rcptReply = rcptReply;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.submit(this::acceptLoop);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public List<Received> received() {
        return received;
    }

    public int connections() {
        return connections.get();
    }

    public int rcptAttempts(String address) {
        AtomicInteger n = rcptAttempts.get(address.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = socket.accept();
                connections.incrementAndGet();
                pool.submit(() -> session(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket accepted) {
        Socket s = accepted;
        try {
            if (tls != null && implicitTls) {
                s = upgrade(s);
            }
            boolean secure = s instanceof javax.net.ssl.SSLSocket;
            BufferedReader in = reader(s);
            OutputStream out = s.getOutputStream();
            String hello = greeting.get();
            reply(out, hello);
            if (hello.startsWith("421")) {
                return;
            }
            List<String> rcpts = new CopyOnWriteArrayList<>();
            String mailFrom = null;
            String user = null;
            String line;
            ByteArrayOutputStream chunks = new ByteArrayOutputStream(); // BDAT chunks of this transaction
            while ((line = in.readLine()) != null) {
                byte[] message = null;
                String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    StringBuilder ehlo = new StringBuilder("250-scripted.test\r\n250-8BITMIME");
                    if (tls != null && !secure) {
                        ehlo.append("\r\n250-STARTTLS");
                    }
                    if (authUser != null) {
                        ehlo.append("\r\n250-AUTH PLAIN");
                    }
                    if (pipelining) {
                        ehlo.append("\r\n250-PIPELINING");
                    }
                    if (chunking) {
                        ehlo.append("\r\n250-CHUNKING");
                    }
                    reply(out, ehlo.append("\r\n250 SIZE 52428800").toString());
                } else if (upper.startsWith("HELO")) {
                    reply(out, "250 scripted.test");
                } else if (upper.equals("STARTTLS") && tls != null && !secure) {
                    reply(out, "220 2.0.0 ready to start TLS");
                    s = upgrade(s);
                    secure = true;
                    in = reader(s);
                    out = s.getOutputStream();
                    user = null;
                } else if (upper.startsWith("AUTH PLAIN ") && authUser != null) {
                    String[] parts = new String(java.util.Base64.getDecoder().decode(line.substring(11).trim()),
                            StandardCharsets.UTF_8).split("\0", -1);
                    if (parts.length == 3 && parts[1].equals(authUser) && parts[2].equals(authPassword)) {
                        user = parts[1];
                        reply(out, "235 2.7.0 authenticated");
                    } else {
                        reply(out, "535 5.7.8 authentication credentials invalid");
                    }
                } else if (upper.startsWith("MAIL FROM:")) {
                    mailCommands.incrementAndGet();
                    if (in.ready()) {
                        pipelinedMail.incrementAndGet();
                    }
                    if (authUser != null && user == null) {
                        reply(out, "530 5.7.0 authentication required");
                        continue;
                    }
                    rcpts.clear();
                    mailFrom = line.substring(10).trim().replaceAll("^<|>.*$", "");
                    reply(out, "250 2.1.0 OK");
                } else if (upper.startsWith("RCPT TO:")) {
                    String addr = line.substring(8).trim().replaceAll("^<|>.*$", "").toLowerCase(Locale.ROOT);
                    rcptAttempts.computeIfAbsent(addr, k -> new AtomicInteger()).incrementAndGet();
                    String r = mailFrom == null ? "503 5.5.1 MAIL first" : rcptReply.apply(addr);
                    if (r == null) {
                        rcpts.add(addr);
                        reply(out, "250 2.1.5 OK");
                    } else {
                        reply(out, r);
                    }
                } else if (upper.equals("DATA")) {
                    if (rcpts.isEmpty()) {
                        reply(out, "554 5.5.1 no valid recipients");
                        continue;
                    }
                    reply(out, "354 go ahead");
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    String l;
                    while ((l = in.readLine()) != null && !l.equals(".")) {
                        if (l.startsWith(".")) {
                            l = l.substring(1);
                        }
                        data.write(l.getBytes(StandardCharsets.ISO_8859_1));
                        data.write('\r');
                        data.write('\n');
                    }
                    message = data.toByteArray();
                } else if (upper.startsWith("BDAT ") && chunking) {
                    // bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF; the chunk is read
                    // even when the transaction has failed (RFC 3030 §2)
                    bdatCommands.incrementAndGet();
                    String[] words = line.trim().split("\\s+");
                    char[] octets = new char[Integer.parseInt(words[1])];
                    for (int got = 0, k; got < octets.length; got += k) {
                        if ((k = in.read(octets, got, octets.length - got)) < 0) {
                            return;
                        }
                    }
                    chunks.write(new String(octets).getBytes(StandardCharsets.ISO_8859_1));
                    boolean last = words.length > 2 && words[2].equalsIgnoreCase("LAST");
                    if (mailFrom == null || rcpts.isEmpty()) {
                        chunks.reset();
                        reply(out, mailFrom == null ? "503 5.5.1 MAIL first" : "554 5.5.1 no valid recipients");
                        continue;
                    }
                    if (!last) {
                        reply(out, "250 2.0.0 " + octets.length + " octets received");
                        continue;
                    }
                    message = chunks.toByteArray();
                    chunks.reset();
                } else if (upper.startsWith("RSET")) {
                    chunks.reset();
                    rcpts.clear();
                    mailFrom = null;
                    reply(out, "250 2.0.0 OK");
                } else if (upper.startsWith("NOOP")) {
                    reply(out, "250 2.0.0 OK");
                } else if (upper.startsWith("QUIT")) {
                    reply(out, "221 2.0.0 bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 not implemented");
                }
                if (message != null) { // the end of DATA or of the last BDAT chunk
                    String fault = dataFault.apply(dataCount.incrementAndGet());
                    if ("RESET".equals(fault)) {
                        s.setSoLinger(true, 0); // RST instead of FIN: the client sees a reset connection
                        return;
                    }
                    if (fault != null) {
                        reply(out, fault);
                    } else {
                        received.add(new Received(mailFrom, List.copyOf(rcpts), message, secure, user));
                        reply(out, "250 2.0.0 OK queued as " + received.size());
                    }
                    mailFrom = null; // the transaction is over either way (RFC 5321 §4.1.1.4)
                    rcpts.clear();
                }
            }
        } catch (SocketException e) {
            // client went away or server closed: end of session
        } catch (IOException e) {
            // same (a failed TLS handshake too)
        } finally {
            try {
                s.close();
                accepted.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    private Socket upgrade(Socket plain) throws IOException {
        javax.net.ssl.SSLSocket t = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
                .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        t.setUseClientMode(false);
        t.startHandshake();
        return t;
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
        pool.shutdownNow();
    }
}
