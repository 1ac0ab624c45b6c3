package dev.signedmail.web;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small sliding-window limit per key (an IP address, an account): at most {@code max} events in
 * {@code windowMillis}. In memory, bounded in the number of keys it remembers.
 */
final class RateLimiter {
    private static final int MAX_KEYS = 10_000;
    private final int max;
    private final long windowMillis;
    private final Map<String, Deque<Long>> events = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
            return size() > MAX_KEYS;
        }
    };

    RateLimiter(int max, long windowMillis) {
        this.max = max;
        this.windowMillis = windowMillis;
    }

    synchronized boolean allow(String key) {
        long now = System.currentTimeMillis();
        Deque<Long> q = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        while (!q.isEmpty() && now - q.peekFirst() > windowMillis) {
            q.pollFirst();
        }
        if (q.size() >= max) {
            return false;
        }
        q.addLast(now);
        return true;
    }
}
