package dev.signedmail.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback SMTP sink that accepts and discards: enough RFC 5321 for Jakarta Mail (EHLO/HELO,
 * MAIL, RCPT, DATA, RSET, NOOP, QUIT), counting messages and bytes. The same sink serves our
 * sender and the Simple Java Mail loop, so neither gets a faster peer.
 */
final class SinkServer implements AutoCloseable {
    private final ServerSocket socket;
    final AtomicLong messages = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong connections = new AtomicLong();
    private volatile boolean closed;

    SinkServer() throws IOException {
        socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "sink-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = socket.accept();
                s.setTcpNoDelay(true);
                connections.incrementAndGet();
                Thread t = new Thread(() -> session(s), "sink-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
             OutputStream out = new BufferedOutputStream(s.getOutputStream(), 4096)) {
            reply(out, "220 sink ESMTP");
            byte[] line = new byte[8192];
            while (true) {
                int n = readLine(in, line);
                if (n < 0) {
                    return;
                }
                String cmd = new String(line, 0, Math.min(n, 4), StandardCharsets.US_ASCII).toUpperCase();
                switch (cmd) {
                    case "EHLO", "HELO" -> reply(out, "250 sink");
                    case "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 2.0.0 OK");
                    case "DATA" -> {
                        reply(out, "354 go ahead");
                        long size = 0;
                        while (true) {
                            int k = readLine(in, line);
                            if (k < 0) {
                                return;
                            }
                            if (k == 1 && line[0] == '.') {
                                break;
                            }
                            size += k + 2;
                        }
                        bytes.addAndGet(size);
                        reply(out, "250 2.0.0 queued as " + messages.incrementAndGet());
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 not implemented");
                }
            }
        } catch (IOException e) {
            // client went away
        }
    }

    /** Reads one CRLF- (or LF-) terminated line into buf (truncating long lines); returns its length without the end, -1 at EOF. */
    private static int readLine(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                return n > 0 && buf[Math.min(n, buf.length) - 1] == '\r' && n <= buf.length ? n - 1 : n;
            }
            if (n < buf.length) {
                buf[n] = (byte) c;
            }
            n++;
        }
        return n == 0 ? -1 : n;
    }

    private static void reply(OutputStream out, String s) throws IOException {
        out.write((s + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }
}
