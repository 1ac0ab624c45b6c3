package dev.signedmail.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.testing.Flow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers recorded by many connections at once share commits, and still each caller returns only
 * once its own answer is committed: the promise a sender's "at most one unrecorded message per
 * connection" rests on.
 */
class GroupCommitTest {

    private static final int THREADS = 8;
    private static final int ROWS = 400;

    @TempDir
    Path dir;

    @Test
    void everyAnswerIsCommittedWhenRecordReturnsEvenWhenAnotherThreadWroteIt() throws Exception {
        Settings s = TestSupport.settings(dir.resolve("data"), 2525);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            long release = approvedRelease(rt, ROWS, "r", "Group");
            OutboxStore outbox = rt.outbox();
            assertEquals(ROWS, outbox.snapshot(release));
            ConcurrentLinkedQueue<OutboxRow> rows = new ConcurrentLinkedQueue<>();
            for (int pass = 0; pass < ROWS && rows.size() < ROWS; pass++) {
                rows.addAll(outbox.claim(release, "test-owner", 100, Duration.ofMinutes(5)));
            }
            assertEquals(ROWS, rows.size());

            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        for (OutboxRow row; (row = rows.poll()) != null; ) {
                            boolean retry = row.id() % 5 == 0;
                            outbox.record(row.id(), retry ? Outcome.retry("451 later") : Outcome.sent("250 ok " + row.id()),
                                    retry ? Instant.now().plusSeconds(60) : null);
                            // read back on another connection: what record() promised must be there already
                            long id = row.id();
                            String status = rt.db().jdbi().withHandle(h -> h.createQuery(
                                    "SELECT status FROM outbox WHERE id = :id").bind("id", id).mapTo(String.class).one());
                            if (!status.equals(retry ? "retry" : "sent")) {
                                problems.add("row " + id + " read back as " + status);
                            }
                        }
                    } catch (Exception e) {
                        problems.add(e.toString());
                    }
                }, "recorder-" + t);
                th.start();
                threads.add(th);
            }
            start.countDown();
            for (Thread th : threads) {
                th.join(TimeUnit.MINUTES.toMillis(2));
            }
            assertEquals(0, problems.size(), "first problems: " + problems.stream().limit(5).toList());
            Map<String, Integer> counts = outbox.counts(release);
            assertEquals(ROWS / 5, counts.get("retry"));
            assertEquals(ROWS - ROWS / 5, counts.get("sent"));
            assertNull(counts.get("pending"));
            int leased = rt.db().jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL").mapTo(Integer.class).one());
            assertEquals(0, leased, "a recorded answer gives up its lease");
        }
    }

    /**
     * A group of answers and a lease renewal both update many rows in one transaction; unless both
     * lock them in the same order they can deadlock, and the database rolls one of them back
     * (seen in a 1M-recipient send, where the sender's retry then hid it). With each group written
     * in a shuffled order instead (and the renewal given its ids unsorted), this test saw the
     * deadlock in one of two runs.
     */
    @Test
    void recordingGroupsAndRenewingLeasesAtOnceDoNotDeadlock() throws Exception {
        int rowsWanted = 2_000;
        Settings s = TestSupport.settings(dir.resolve("data"), 2525);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            long release = approvedRelease(rt, rowsWanted, "d", "Renew");
            OutboxStore outbox = rt.outbox();
            outbox.snapshot(release);
            java.util.Set<Long> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<OutboxRow> rows = new ConcurrentLinkedQueue<>();
            for (int pass = 0; pass < rowsWanted && rows.size() < rowsWanted; pass++) {
                for (OutboxRow r : outbox.claim(release, "owner-1", 100, Duration.ofMinutes(5))) {
                    rows.add(r);
                    held.add(r.id());
                }
            }
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicBoolean recording = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread renewer = new Thread(() -> {
                for (int i = 0; i < 100_000 && recording.get(); i++) {
                    try {
                        outbox.renewLeases("owner-1", List.copyOf(held), Duration.ofMinutes(5));
                    } catch (RuntimeException e) {
                        problems.add("renew: " + e.getMessage());
                    }
                }
            }, "renewer");
            renewer.start();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2 * THREADS; t++) {
                Thread th = new Thread(() -> {
                    for (OutboxRow row; (row = rows.poll()) != null; ) {
                        try {
                            outbox.record(row.id(), Outcome.sent("250 ok"), null);
                            held.remove(row.id());
                        } catch (RuntimeException e) {
                            problems.add("record: " + e.getMessage());
                        }
                    }
                }, "recorder-" + t);
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join(TimeUnit.MINUTES.toMillis(2));
            }
            recording.set(false);
            renewer.join(TimeUnit.MINUTES.toMillis(1));
            assertEquals(0, problems.size(), "first problems: " + problems.stream().limit(3).toList());
            assertEquals(rowsWanted, outbox.counts(release).get("sent"));
        }
    }

    /**
     * Answers that arrive staggered (as a sender's connections' do: each finishes signing at its
     * own time) went out one commit each; with the other writers known, the first waits for them
     * while more of them than there are cores are still at work, and those are written together.
     * Each caller still finds its own answer on disk when it returns.
     */
    @Test
    void staggeredAnswersOfRegisteredWritersShareOneCommit() throws Exception {
        Settings s = TestSupport.settings(dir.resolve("data"), 2525);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            long release = approvedRelease(rt, THREADS, "g", "Gather");
            OutboxStore outbox = rt.outbox().commitDelay(Duration.ofSeconds(5));
            outbox.snapshot(release);
            List<OutboxRow> rows = outbox.claim(release, "test-owner", THREADS, Duration.ofMinutes(5));
            assertEquals(THREADS, rows.size());
            for (int t = 0; t < THREADS; t++) {
                outbox.writerStarted();
            }
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                OutboxRow row = rows.get(t);
                long stagger = 30L * t;
                Thread th = new Thread(() -> {
                    try {
                        Thread.sleep(stagger);
                        outbox.record(row.id(), Outcome.sent("250 ok"), null);
                        String status = rt.db().jdbi().withHandle(h -> h.createQuery(
                                "SELECT status FROM outbox WHERE id = :id").bind("id", row.id()).mapTo(String.class).one());
                        if (!status.equals("sent")) {
                            problems.add("row " + row.id() + " read back as " + status);
                        }
                    } catch (Exception e) {
                        problems.add(e.toString());
                    } finally {
                        outbox.writerEnded();
                    }
                }, "recorder-" + t);
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertEquals(0, problems.size(), "first problems: " + problems.stream().limit(5).toList());
            assertEquals(THREADS, outbox.answersWritten());
            // answers 30 ms apart: all but CORES of them in the first commit; the rest, with too
            // few writers left to keep the cores busy, one each
            assertEquals(Math.min(THREADS, OutboxStore.CORES + 1), outbox.commits());
        }
    }

    /**
     * A leader waiting for a connection that has ended (its queue ran dry, the run stopped) would
     * otherwise hold every answer for the whole commit delay.
     */
    @Test
    void aWriterThatEndsReleasesTheLeaderWaitingForIt() throws Exception {
        Settings s = TestSupport.settings(dir.resolve("data"), 2525);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            long release = approvedRelease(rt, 1, "e", "Ends");
            OutboxStore outbox = rt.outbox().commitDelay(Duration.ofSeconds(60));
            outbox.snapshot(release);
            OutboxRow row = outbox.claim(release, "test-owner", 1, Duration.ofMinutes(5)).get(0);
            // the leader and more writers than cores: the leader waits for them
            for (int w = 0; w < OutboxStore.CORES + 2; w++) {
                outbox.writerStarted();
            }
            CountDownLatch recorded = new CountDownLatch(1);
            Thread th = new Thread(() -> {
                outbox.record(row.id(), Outcome.sent("250 ok"), null);
                recorded.countDown();
            }, "leader");
            th.start();
            Thread.sleep(200);
            assertEquals(1, recorded.getCount(), "the leader waits for the other writers' answers");
            outbox.writerEnded();
            org.junit.jupiter.api.Assertions.assertTrue(recorded.await(20, TimeUnit.SECONDS),
                    "the leader still waited for a writer that had ended");
            assertEquals("sent", rt.db().jdbi().withHandle(h -> h.createQuery(
                    "SELECT status FROM outbox WHERE id = :id").bind("id", row.id()).mapTo(String.class).one()));
            th.join(10_000);
        }
    }

    /** An approved release to {@code subscribers} new subscribers named {@code prefix}N@example.org. */
    private long approvedRelease(MailerRuntime rt, int subscribers, String prefix, String title) throws Exception {
        for (int i = 0; i < subscribers; i++) {
            rt.subscribers().add(prefix + i + "@example.org", null, List.of("general"));
        }
        return Flow.operators(rt, dir.resolve("tokens")).approved(rt, title, "Body.", "general");
    }
}
