package dev.signedmail.send;

import java.io.IOException;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Closes the socket of a connection whose message has been in flight longer than its limit, so a
 * relay that stops reading cannot hold a send forever: a blocked write has no timeout of its own
 * (SO_TIMEOUT bounds reads only), and closing the socket is what makes it return.
 *
 * <p>Why one thread and not a timer per write (Jakarta Mail's {@code writetimeout}, used here
 * before this project had its own SMTP client): that schedules a task on an executor for every
 * socket write and cancels it afterwards, and at a few thousand writes a second the cancelled
 * tasks and the executor's wake-ups cost more CPU than the SMTP client itself did. Here a message
 * costs two volatile writes; one daemon thread looks at all armed connections a few times a
 * second. Under TLS the watched socket is the plain one beneath: closing it ends the TLS write too.
 */
final class StallWatchdog {

    /** Longest sleep between looks: a stalled connection is closed at most this late. */
    private static final long LOOK_EVERY_MS = 250;

    private static final StallWatchdog SHARED = new StallWatchdog();

    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private Thread thread;

    static StallWatchdog shared() {
        return SHARED;
    }

    /** Starts watching {@code socket}; call {@link Watch#close()} when the connection ends. */
    Watch watch(Socket socket, long limitMillis) {
        Watch w = new Watch(socket, TimeUnit.MILLISECONDS.toNanos(limitMillis));
        watches.add(w);
        startIfNeeded();
        return w;
    }

    private synchronized void startIfNeeded() {
        if (thread == null) {
            thread = new Thread(this::run, "smtp-stall-watchdog");
            thread.setDaemon(true); // never keeps the JVM alive
            thread.start();
        }
    }

    private void run() {
        while (true) {
            long now = System.nanoTime();
            for (Watch w : watches) {
                w.closeIfStalled(now);
            }
            try {
                Thread.sleep(LOOK_EVERY_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One connection: armed while a message is on it. */
    final class Watch implements AutoCloseable {
        private final Socket socket;
        private final long limitNanos;
        /** When the current message started, or {@link Long#MIN_VALUE} when none is in flight. */
        private final java.util.concurrent.atomic.AtomicLong armedAt = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
        private volatile boolean stalled;

        private Watch(Socket socket, long limitNanos) {
            this.socket = socket;
            this.limitNanos = limitNanos;
        }

        void arm() {
            stalled = false;
            armedAt.set(System.nanoTime());
        }

        void disarm() {
            armedAt.set(Long.MIN_VALUE);
        }

        /** True when the watchdog closed the socket because the message in flight took too long. */
        boolean stalled() {
            return stalled;
        }

        private void closeIfStalled(long now) {
            long at = armedAt.get();
            // only if still the same message: the connection may have moved on to its next one
            // between the read and here, and that one has not stalled
            if (at != Long.MIN_VALUE && now - at > limitNanos && armedAt.compareAndSet(at, Long.MIN_VALUE)) {
                stalled = true;
                try {
                    socket.close(); // the blocked write or read throws; the connection reports a retry
                } catch (IOException ignored) {
                    // already broken: nothing more to do
                }
            }
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }
}
