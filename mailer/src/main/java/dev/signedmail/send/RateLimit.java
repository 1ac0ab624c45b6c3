package dev.signedmail.send;

/**
 * An optional global limit in messages per second, shared by all connections of a run: each
 * message waits for its slot. 0 or less means no limit.
 */
final class RateLimit {
    private final long intervalNanos;
    private long nextSlot = System.nanoTime();

    RateLimit(double perSecond) {
        this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
    }

    void acquire() throws InterruptedException {
        if (intervalNanos == 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            nextSlot = Math.max(nextSlot, now);
            wait = nextSlot - now;
            nextSlot += intervalNanos;
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
