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
 * enough of RFC 5321 for Jakarta Mail: EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffing), RSET, NOOP,
 * QUIT. Accepted messages are kept with their recipients.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** A message the server accepted with 250 after DATA. */
    public record Received(String mailFrom, List<String> recipients, byte[] data) {
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

    private void session(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
             OutputStream out = s.getOutputStream()) {
            String hello = greeting.get();
            reply(out, hello);
            if (hello.startsWith("421")) {
                return;
            }
            List<String> rcpts = new CopyOnWriteArrayList<>();
            String mailFrom = null;
            String line;
            while ((line = in.readLine()) != null) {
                String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    reply(out, "250-scripted.test\r\n250-8BITMIME\r\n250 PIPELINING");
                } else if (upper.startsWith("HELO")) {
                    reply(out, "250 scripted.test");
                } else if (upper.startsWith("MAIL FROM:")) {
                    rcpts.clear();
                    mailFrom = line.substring(10).trim().replaceAll("^<|>.*$", "");
                    reply(out, "250 2.1.0 OK");
                } else if (upper.startsWith("RCPT TO:")) {
                    String addr = line.substring(8).trim().replaceAll("^<|>.*$", "").toLowerCase(Locale.ROOT);
                    rcptAttempts.computeIfAbsent(addr, k -> new AtomicInteger()).incrementAndGet();
                    String r = rcptReply.apply(addr);
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
                    String fault = dataFault.apply(dataCount.incrementAndGet());
                    if ("RESET".equals(fault)) {
                        s.setSoLinger(true, 0); // RST instead of FIN: the client sees a reset connection
                        return;
                    }
                    if (fault != null) {
                        reply(out, fault);
                        continue;
                    }
                    received.add(new Received(mailFrom, List.copyOf(rcpts), data.toByteArray()));
                    reply(out, "250 2.0.0 OK queued as " + received.size());
                } else if (upper.startsWith("RSET")) {
                    rcpts.clear();
                    reply(out, "250 2.0.0 OK");
                } else if (upper.startsWith("NOOP")) {
                    reply(out, "250 2.0.0 OK");
                } else if (upper.startsWith("QUIT")) {
                    reply(out, "221 2.0.0 bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 not implemented");
                }
            }
        } catch (SocketException e) {
            // client went away or server closed: end of session
        } catch (IOException e) {
            // same
        }
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
