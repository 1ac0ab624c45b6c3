package dev.signedmail.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.outbox.Outcome;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A relay that stops reading in the middle of a message: the write blocks, and only the watchdog ends it. */
class StallWatchdogTest {

    @TempDir
    Path dir;

    @Test
    void aRelayThatStopsReadingMidMessageCannotHoldASendForever() throws Exception {
        CountDownLatch testDone = new CountDownLatch(1);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread relay = new Thread(() -> stallAfterDataCommand(server, testDone), "stalling-relay");
            relay.setDaemon(true);
            relay.start();
            Map<String, String> cfg = TestSupport.settingsMap(dir, server.getLocalPort());
            cfg.put("smtp.timeout.seconds", "1");
            SmtpRelay smtp = new SmtpRelay(Settings.of(cfg), "news@example.org");
            // far more than the loopback socket buffers hold, so the client's write blocks for good
            byte[] message = new byte[48 * 1024 * 1024];
            Arrays.fill(message, (byte) 'a');
            for (int i = 76; i < message.length; i += 78) {
                message[i] = '\r';
                message[i + 1] = '\n';
            }
            try (SmtpConnection conn = new SmtpConnection(smtp)) {
                Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(30),
                        () -> conn.send(message, "reader@example.org", null));
                assertEquals(Outcome.Status.RETRY, outcome.status(), outcome.reply());
                assertTrue(outcome.reply().contains("not through after 1 s"), outcome.reply());
            } finally {
                testDone.countDown();
            }
        }
    }

    /** Answers up to and including DATA's 354, then holds the connection without reading a byte. */
    private static void stallAfterDataCommand(ServerSocket server, CountDownLatch testDone) {
        try (Socket s = server.accept();
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
            OutputStream out = s.getOutputStream();
            out.write("220 stalling.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                String reply = line.regionMatches(true, 0, "EHLO", 0, 4) ? "250 stalling.test"
                        : line.equalsIgnoreCase("DATA") ? "354 go ahead" : "250 OK";
                out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (reply.startsWith("354")) {
                    testDone.await(60, TimeUnit.SECONDS); // bounded: the test ends first
                    return;
                }
            }
        } catch (Exception e) {
            // the client closed the connection: the end this test waits for
        }
    }
}
