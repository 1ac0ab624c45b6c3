package dev.signedmail.bench;

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
 * sender and the Simple Java Mail loop, so neither gets a faster peer. Like Postfix it offers
 * PIPELINING (RFC 2920) and CHUNKING (RFC 3030, BDAT), and sends its replies when it has read all that was sent so far (Jakarta
 * Mail, in the Simple Java Mail loop, does not pipeline and waits for each reply).
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
        try (s; InputStream raw = s.getInputStream();
             OutputStream out = new BufferedOutputStream(s.getOutputStream(), 4096)) {
            reply(out, "220 sink ESMTP");
            byte[] line = new byte[8192];
            LineReader in = new LineReader(raw);
            while (true) {
                if (in.drained()) {
                    out.flush(); // replies to a pipelined group go out together
                }
                int n = in.readLine(line);
                if (n < 0) {
                    return;
                }
                String cmd = new String(line, 0, Math.min(n, 4), StandardCharsets.US_ASCII).toUpperCase();
                switch (cmd) {
                    case "EHLO" -> reply(out, "250-sink\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 8BITMIME");
                    case "HELO" -> reply(out, "250 sink");
                    case "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 2.0.0 OK");
                    case "DATA" -> {
                        reply(out, "354 go ahead");
                        out.flush();
                        long size = 0;
                        while (true) {
                            int k = in.readLine(line);
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
                    case "BDAT" -> {
                        // BDAT <size> [LAST]: exactly size bytes follow, then the reply (RFC 3030)
                        String[] words = new String(line, 0, Math.min(n, line.length), StandardCharsets.US_ASCII).trim().split("\\s+");
                        long size = Long.parseLong(words[1]);
                        if (!in.skip(size)) {
                            return;
                        }
                        bytes.addAndGet(size);
                        reply(out, words.length > 2 ? "250 2.0.0 queued as " + messages.incrementAndGet() : "250 2.0.0 chunk received");
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

    /**
     * Reads lines straight out of its own buffer: the sink shares the benchmark's two cores with the
     * sender, and a synchronized read() per byte made it cost a third of what sending did.
     */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[65536];
        private int pos;
        private int limit;

        LineReader(InputStream in) {
            this.in = in;
        }

        /** Everything read from the socket has been consumed: the client waits for answers now. */
        boolean drained() {
            return pos == limit;
        }

        /** Consumes exactly {@code n} bytes (a BDAT chunk); false at EOF. */
        boolean skip(long n) throws IOException {
            while (n > 0) {
                if (pos == limit) {
                    limit = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return false;
                    }
                }
                int k = (int) Math.min(n, limit - pos);
                pos += k;
                n -= k;
            }
            return true;
        }

        /** One CRLF- (or LF-) terminated line into line (truncated if long); its length without the end, -1 at EOF. */
        int readLine(byte[] line) throws IOException {
            int n = 0;
            while (true) {
                if (pos == limit) {
                    limit = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return n == 0 ? -1 : n;
                    }
                }
                int start = pos;
                int end = start;
                while (end < limit && buf[end] != '\n') {
                    end++;
                }
                int len = end - start;
                if (n < line.length) {
                    System.arraycopy(buf, start, line, n, Math.min(len, line.length - n));
                }
                n += len;
                if (end < limit) { // found the LF
                    pos = end + 1;
                    return n > 0 && n <= line.length && line[n - 1] == '\r' ? n - 1 : n;
                }
                pos = limit;
            }
        }
    }

    /** Queues a reply; it leaves when the session has read all the client sent (see the loop). */
    private static void reply(OutputStream out, String s) throws IOException {
        out.write((s + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }
}
