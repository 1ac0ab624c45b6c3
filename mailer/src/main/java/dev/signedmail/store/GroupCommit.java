package dev.signedmail.store;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Group commit: writes queued at about the same moment share one transaction, and each writer
 * learns when its own write is committed. Nothing is weaker than one transaction per write (a
 * write whose {@link Pending#await} has returned is on disk), but a store that pays per commit —
 * H2 writes its changed pages on every commit, PostgreSQL flushes its log — pays once per group.
 * The connections of a send record their relays' answers this way, and compose the next message
 * while the answer is being written.
 *
 * <p>One committer thread, started when there is something to write and ended after a second
 * with nothing: it writes everything queued so far as one group; what arrives meanwhile is the
 * next group.
 *
 * @param <T> one queued write
 */
public final class GroupCommit<T> {
    private static final long IDLE_MILLIS = 1000;

    private final Consumer<List<T>> writer;
    private final String threadName;
    private final Object lock = new Object();
    private List<Entry<T>> queue = new ArrayList<>();
    private boolean committerRunning;

    /**
     * @param writer writes the given entries in ONE transaction, or throws having written none
     * @param threadName the committer thread's name (shown in thread dumps)
     */
    public GroupCommit(Consumer<List<T>> writer, String threadName) {
        this.writer = writer;
        this.threadName = threadName;
    }

    /** A queued write; {@link #await} returns once it is committed, or throws what its group's commit threw. */
    public interface Pending {
        void await();
    }

    private final class Entry<V> implements Pending {
        final V value;
        boolean done;
        RuntimeException error;

        Entry(V value) {
            this.value = value;
        }

        @Override
        public void await() {
            boolean interrupted = false;
            synchronized (lock) {
                while (!done) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true; // the write goes on regardless; its outcome must be known
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (error != null) {
                throw error;
            }
        }
    }

    /** Queues {@code value} for the next group and returns at once. */
    public Pending submit(T value) {
        Entry<T> e = new Entry<>(value);
        synchronized (lock) {
            queue.add(e);
            if (!committerRunning) {
                committerRunning = true;
                Thread t = new Thread(this::commitLoop, threadName);
                t.setDaemon(true);
                t.start();
            }
            lock.notifyAll();
        }
        return e;
    }

    /** Queues {@code value} and waits until it is committed. */
    public void write(T value) {
        submit(value).await();
    }

    private void commitLoop() {
        while (true) {
            List<Entry<T>> group;
            synchronized (lock) {
                long idleSince = System.nanoTime();
                while (queue.isEmpty()) {
                    long leftMillis = IDLE_MILLIS - (System.nanoTime() - idleSince) / 1_000_000;
                    if (leftMillis <= 0) {
                        committerRunning = false;
                        return;
                    }
                    try {
                        lock.wait(leftMillis);
                    } catch (InterruptedException e) {
                        // nobody interrupts this thread on purpose; keep serving the queue
                    }
                }
                group = queue;
                queue = new ArrayList<>();
            }
            RuntimeException error = null;
            try {
                List<T> values = new ArrayList<>(group.size());
                for (Entry<T> e : group) {
                    values.add(e.value);
                }
                writer.accept(values);
            } catch (RuntimeException e) {
                error = e;
            } catch (Error e) {
                error = new IllegalStateException("commit failed: " + e, e);
            }
            synchronized (lock) {
                for (Entry<T> e : group) {
                    e.done = true;
                    e.error = error;
                }
                lock.notifyAll();
            }
        }
    }
}
