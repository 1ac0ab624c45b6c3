package dev.signedmail.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    @Test
    void everyWriteIsCommittedOnceAndBeforeItsCallerReturns() throws Exception {
        Set<Integer> committed = ConcurrentHashMap.newKeySet();
        List<Integer> groupSizes = new CopyOnWriteArrayList<>();
        AtomicInteger duplicates = new AtomicInteger();
        GroupCommit<Integer> gc = new GroupCommit<>(group -> {
            sleep(5); // a commit that takes a while, as a disk flush does
            for (Integer v : group) {
                if (!committed.add(v)) {
                    duplicates.incrementAndGet();
                }
            }
            groupSizes.add(group.size());
        }, "test-committer");
        int threads = 8;
        int perThread = 50;
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        gc.write(base + i);
                        if (!committed.contains(base + i)) {
                            throw new AssertionError("write " + (base + i) + " returned before it was committed");
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) {
            th.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertEquals(List.of(), errors);
        assertEquals(threads * perThread, committed.size());
        assertEquals(0, duplicates.get());
        assertEquals(threads * perThread, groupSizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(groupSizes.stream().anyMatch(n -> n > 1), "concurrent writes shared a commit: " + groupSizes);
        assertTrue(groupSizes.size() < threads * perThread, "fewer commits than writes: " + groupSizes.size());
    }

    @Test
    void aFailedCommitFailsOnlyItsOwnGroupAndTheNextOneWorks() {
        AtomicInteger calls = new AtomicInteger();
        List<String> written = new ArrayList<>();
        GroupCommit<String> gc = new GroupCommit<>(group -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("disk full");
            }
            written.addAll(group);
        }, "test-committer");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> gc.write("a"));
        assertEquals("disk full", e.getMessage());
        gc.write("b");
        assertEquals(List.of("b"), written);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
