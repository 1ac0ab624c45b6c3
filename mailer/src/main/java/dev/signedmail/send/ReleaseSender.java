package dev.signedmail.send;

import dev.signedmail.Problem;
import dev.signedmail.feedback.FeedbackApplier;
import dev.signedmail.outbox.LeaseOwner;
import dev.signedmail.outbox.OutboxRow;
import dev.signedmail.outbox.OutboxStore;
import dev.signedmail.outbox.Outcome;
import dev.signedmail.outbox.VerpAddresses;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a release as a pipe: snapshot the audience → claim a batch (with a lease) → render + sign →
 * send over a small pool of connections → record each relay answer. The resume point is each row's
 * state, which changes only when the relay has answered, so an interrupted run loses nothing and a
 * rerun sends only what was not acknowledged. Any number of senders (processes, machines) can run
 * the same release at once: each claims different rows, and the rows of one that dies are taken
 * over when its lease runs out. A 4xx or a broken connection is retried in the same run, later and
 * later (backoff with jitter), until the row's maximum age.
 *
 * <p>Signing and sending are separate stages: one signing thread per core turns claimed rows into
 * signed messages, a short queue ahead of the connections, and each connection only sends and
 * waits. So the cores keep signing while the connections wait for the relay's replies and for
 * their answers to be committed; when each connection signed its own messages, a core stood idle
 * whenever its connections were all waiting, and eight signers on two cores slowed each other
 * (benchmark, README). A connection sends its next message only once the answer to its previous
 * one is on disk.
 */
public final class ReleaseSender {

    /** Rows claimed at a time: small, so a dead sender's lease holds back little. */
    private static final int BATCH = 100;
    /** The filler's nap while a batch is still queued: a tenth of a batch at 2,000 msg/s. */
    private static final long QUEUED_NAP_MS = 5;
    /** Longest sleep between looks for due retries or expired leases; also bounds reaction to stop. */
    private static final long MAX_NAP_MS = 500;

    private final ReleaseStore releases;
    private final OutboxStore outbox;
    private final MessageComposer composer;
    private final SmtpRelay relay;
    private final VerpAddresses verp;
    private final FeedbackApplier feedback;
    private final SendOptions options;
    private final RateLimit rate;
    private final SendGuard guard;

    /** {@code feedback} receives every permanent refusal, like a bounce (listmonk's #2623 is that it did not). */
    public ReleaseSender(ReleaseStore releases, OutboxStore outbox, MessageComposer composer, SmtpRelay relay,
                         VerpAddresses verp, FeedbackApplier feedback, SendOptions options, SendGuard guard) {
        this.feedback = feedback;
        this.guard = guard;
        this.releases = releases;
        this.outbox = outbox;
        this.composer = composer;
        this.relay = relay;
        this.verp = verp;
        this.options = options;
        this.rate = new RateLimit(options.ratePerSecond());
    }

    private dev.signedmail.store.SendStats stats;

    /** The outbox this sender records answers in; its counters tell how many answers each commit took. */
    public OutboxStore outbox() {
        return outbox;
    }

    /** Adds this sender's counts and signing time to the shared counters ({@code /metrics}); returns this. */
    public ReleaseSender recordStats(dev.signedmail.store.SendStats sendStats) {
        this.stats = sendStats;
        return this;
    }

    /** How often a running send adds its counts to the shared counters. */
    private static final long STATS_EVERY_NANOS = 5_000_000_000L;

    /** Called once per send run before any message goes out (after the pre-flight), e.g. to log the release. */
    private java.util.function.Consumer<Release> beforeFirstMessage = r -> { };

    /** Sets what to do before the first message of a run leaves (the release log entry); returns this. */
    public ReleaseSender beforeFirstMessage(java.util.function.Consumer<Release> action) {
        this.beforeFirstMessage = action;
        return this;
    }

    private static final OutboxRow END = new OutboxRow(-1, -1, -1, "", null, "", 0, null);

    /** Live state of one run, shared by the reader and the workers. */
    private static final class Run {
        final String owner = LeaseOwner.create();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger deferred = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        /** Rows claimed and not yet answered (queued or on a connection): the ones whose lease is renewed. */
        final java.util.Set<Long> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
        long nextRenewalNanos = System.nanoTime();
        final java.util.concurrent.atomic.AtomicLong lastProgressNanos = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        final AtomicReference<String> stop = new AtomicReference<>();
        final AtomicReference<RuntimeException> error = new AtomicReference<>();
        final java.util.concurrent.atomic.LongAdder signed = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder signingNanos = new java.util.concurrent.atomic.LongAdder();
        /** What was already added to the shared counters: sent, failed, deferred, signed, signing nanos. */
        final long[] flushed = new long[5];
        long nextFlush = System.nanoTime() + STATS_EVERY_NANOS;
    }

    /** Adds what changed since the last flush to the shared counters (called by the reader thread only). */
    private void flushStats(Run run) {
        if (stats == null) {
            return;
        }
        long[] now = {run.sent.get(), run.failed.get(), run.deferred.get(), run.signed.sum(), run.signingNanos.sum()};
        try {
            stats.add(relay.name(), now[0] - run.flushed[0], now[1] - run.flushed[1], now[2] - run.flushed[2],
                    now[3] - run.flushed[3], (now[4] - run.flushed[4]) / 1000);
            System.arraycopy(now, 0, run.flushed, 0, now.length);
        } catch (RuntimeException e) {
            // counters are for monitoring: a database hiccup here must not stop a send (the rows are what count)
            org.slf4j.LoggerFactory.getLogger(ReleaseSender.class).warn("could not update send counters: {}", e.toString());
        }
        run.nextFlush = System.nanoTime() + STATS_EVERY_NANOS;
    }

    public SendSummary send(long releaseId, SendListener listener, StopSignal stopSignal) {
        Release release = releases.get(releaseId);
        // approval, content hash, halt and guardrails: before the snapshot and before any connection
        guard.check(release);
        if (!"sent".equals(release.status())) {
            composer.preflight(release);
        }
        StopSignal stop = new StopSignal() {
            @Override
            public boolean stopRequested() {
                return stopSignal.stopRequested() || guard.stopRequested(releaseId);
            }

            @Override
            public String reason() {
                return guard.stopRequested(releaseId) ? guard.stopReason() : stopSignal.reason();
            }
        };
        long start = System.nanoTime();
        outbox.snapshot(releaseId);
        Map<String, Integer> before = outbox.counts(releaseId);
        int toDo = before.getOrDefault("pending", 0) + before.getOrDefault("retry", 0);
        int settled = before.getOrDefault("sent", 0) + before.getOrDefault("failed", 0);
        Run run = new Run();
        listener.started(toDo);
        try {
            if (toDo > 0) {
                // logged before delivery, so every message a subscriber can hold is already in the public log
                beforeFirstMessage.accept(release);
                pump(release, listener, stop, run);
            }
        } finally {
            flushStats(run);
            outbox.releaseLeases(releaseId, run.owner);
            listener.finished();
        }
        if (run.error.get() != null) {
            throw run.error.get();
        }
        boolean finished = outbox.finishIfDone(releaseId);
        Map<String, Integer> after = outbox.counts(releaseId);
        int left = after.getOrDefault("pending", 0) + after.getOrDefault("retry", 0);
        SendSummary summary = new SendSummary(releaseId, run.sent.get(), run.failed.get(), after.getOrDefault("retry", 0),
                settled, left, (System.nanoTime() - start) / 1e9, finished, run.stop.get(), after);
        if (finished) {
            guard.finished(release, summary);
        }
        return summary;
    }

    /** A row's message, signed and waiting for a connection; {@link #LAST} tells a connection to end. */
    private record Signed(OutboxRow row, byte[] message) {
    }

    private static final Signed LAST = new Signed(END, new byte[0]);

    /** Signing threads: one per core, never more than there are connections to keep busy. */
    static int signers(int connections) {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), connections));
    }

    private void pump(Release release, SendListener listener, StopSignal stopSignal, Run run) {
        BlockingQueue<OutboxRow> queue = new ArrayBlockingQueue<>(BATCH * 2);
        int signerCount = signers(options.connections());
        // one message ready per connection and one per signer: enough that no connection waits
        // for a signature while the cores are busy, few enough that a halt discards little work
        BlockingQueue<Signed> signed = new ArrayBlockingQueue<>(options.connections() + signerCount);
        AtomicInteger signersLeft = new AtomicInteger(signerCount);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < signerCount; i++) {
            Thread t = new Thread(() -> sign(release, queue, signed, stopSignal, run, signersLeft), "sign-" + i);
            t.start();
            threads.add(t);
        }
        for (int i = 0; i < options.connections(); i++) {
            Thread t = new Thread(() -> work(signed, listener, stopSignal, run), "send-" + i);
            t.start();
            threads.add(t);
        }
        try {
            try {
                fill(release, queue, stopSignal, run);
            } catch (RuntimeException e) {
                // the database stayed out of reach: stop as for any other stop, so the workers end too
                run.error.compareAndSet(null, e instanceof Problem ? e
                        : new Problem("claiming rows of release " + release.id() + " failed: " + e.getMessage(), e));
                run.stop.compareAndSet(null, "a database step failed");
            }
            if (stopSignal.stopRequested() && run.stop.get() == null) {
                run.stop.compareAndSet(null, stopSignal.reason());
            }
            if (run.stop.get() != null) {
                queue.clear(); // rows not yet taken stay pending; their lease is given back below
            }
            for (int i = 0; i < signerCount; i++) {
                queue.put(END); // the last signer to end tells the connections
            }
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.stop.compareAndSet(null, "interrupted");
        }
    }

    /**
     * A signing thread: renders and signs claimed rows until the filler says there are no more,
     * then, if it is the last one, tells every connection to end. A row it does not sign (the run
     * is stopping, or its message could not be made) stays pending.
     */
    private void sign(Release release, BlockingQueue<OutboxRow> queue, BlockingQueue<Signed> signed,
                      StopSignal stopSignal, Run run, AtomicInteger signersLeft) {
        try {
            while (true) {
                OutboxRow row = queue.take();
                if (row == END) {
                    return;
                }
                byte[] message = null;
                try {
                    message = compose(release, row, stopSignal, run);
                } finally {
                    if (message == null) {
                        done(run, row);
                    }
                }
                if (message != null) {
                    signed.put(new Signed(row, message));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (signersLeft.decrementAndGet() == 0) {
                for (int i = 0; i < options.connections(); i++) {
                    putUninterruptibly(signed, LAST);
                }
            }
        }
    }

    /** Connections end only on {@link #LAST}: it must reach them even if this thread was interrupted. */
    private static void putUninterruptibly(BlockingQueue<Signed> queue, Signed item) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(item);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Claims rows into the workers' queue until nothing is left, the run stops, or it is asked to stop. */
    private void fill(Release release, BlockingQueue<OutboxRow> queue, StopSignal stopSignal, Run run)
            throws InterruptedException {
        while (run.stop.get() == null && !stopSignal.stopRequested()) {
            renewLeasesIfDue(run);
            if (System.nanoTime() - run.nextFlush >= 0) {
                flushStats(run);
            }
            // claim only what the signers can start soon, so the lease is not spent waiting in the
            // queue; while a batch is still queued, look again shortly. (This used to fall through
            // to waitForMore's 50-ms nap, meant for waiting on retries: at 2,000 msg/s the queue ran
            // dry in each nap and the signers stood idle an eighth of the time; benchmark, README.)
            if (queue.size() >= BATCH) {
                if (outOfPatience(run)) {
                    return;
                }
                Thread.sleep(QUEUED_NAP_MS);
                continue;
            }
            List<OutboxRow> batch = withDatabase("claiming rows", () -> outbox.claim(release.id(), run.owner, BATCH, options.lease()));
            if (batch.isEmpty()) {
                if (!waitForMore(release, run, stopSignal)) {
                    return;
                }
                continue;
            }
            for (OutboxRow row : batch) {
                run.held.add(row.id());
                run.inFlight.incrementAndGet();
                queue.put(row);
            }
        }
    }

    /** How long a database out of reach is waited for before the run stops. */
    private static final long DATABASE_OUTAGE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * Runs a database step again while the database is briefly out of reach, for up to 30 s: H2's
     * automatic server moving to another process when the process that opened the file exits, a
     * PostgreSQL restart or fail-over. Every step guarded here can be repeated: recording an answer
     * (the update is conditional), claiming (a reply lost after the commit leaves those rows leased
     * to this run until the lease ends), renewing, looking for the next wake-up. Giving up at once
     * on recording an answer the relay has accepted would mean sending that message again.
     */
    private static <T> T withDatabase(String what, java.util.function.Supplier<T> step) throws InterruptedException {
        long deadline = System.nanoTime() + DATABASE_OUTAGE_NANOS;
        for (int attempt = 0; ; attempt++) {
            try {
                return step.get();
            } catch (RuntimeException e) {
                if (!isDatabaseError(e) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                org.slf4j.LoggerFactory.getLogger(ReleaseSender.class).warn("{} failed, trying again: {}", what, databaseMessage(e));
                Thread.sleep(Math.min(1_000, 20L << Math.min(attempt, 6)));
            }
        }
    }

    /** The database's own words, first line only: not the statement and its arguments that Jdbi adds. */
    private static String databaseMessage(Throwable e) {
        for (int depth = 0; e != null && depth < 10; depth++, e = e.getCause()) {
            if (e instanceof java.sql.SQLException && e.getMessage() != null) {
                return e.getMessage().lines().findFirst().orElse("");
            }
        }
        return "";
    }

    /** A failure reported by the database or its driver (as opposed to a bug here). */
    static boolean isDatabaseError(Throwable e) {
        for (int depth = 0; e != null && depth < 10; depth++, e = e.getCause()) {
            if (e instanceof java.sql.SQLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Keeps this run's leases alive: every quarter of the lease, the rows it holds get a full lease
     * again. Without this a row that waits in the queue longer than the lease (a slow or
     * rate-limited relay, a busy machine) is claimed by another sender and sent twice.
     */
    private void renewLeasesIfDue(Run run) throws InterruptedException {
        if (System.nanoTime() - run.nextRenewalNanos < 0) {
            return;
        }
        run.nextRenewalNanos = System.nanoTime() + options.lease().toNanos() / 4;
        List<Long> held = List.copyOf(run.held);
        withDatabase("renewing leases", () -> outbox.renewLeases(run.owner, held, options.lease()));
    }

    /**
     * Nothing claimable now. Waits (in short naps, watching for stop) while a retry will fall due or
     * another sender's lease will run out — but not past {@code patience} without progress; returns
     * false when the run should end.
     */
    private boolean waitForMore(Release release, Run run, StopSignal stopSignal) throws InterruptedException {
        if (outOfPatience(run)) {
            return false;
        }
        if (run.inFlight.get() > 0) {
            Thread.sleep(50); // our own messages are still out; their answers may schedule retries
            return true;
        }
        Optional<Instant> wake = withDatabase("looking for retries due", () -> outbox.nextWake(release.id(), run.owner));
        if (wake.isEmpty()) {
            return false; // nothing left to deliver
        }
        long ms = Math.max(10, Math.min(MAX_NAP_MS, Duration.between(Instant.now(), wake.get()).toMillis()));
        Thread.sleep(ms);
        return !stopSignal.stopRequested();
    }

    /** A connection: sends signed messages, each once the answer to its previous one is on disk. */
    /** Nothing got through for the patience: stops the run (the rest waits for the next run). */
    private boolean outOfPatience(Run run) {
        if (System.nanoTime() - run.lastProgressNanos.get() <= options.patience().toNanos()) {
            return false;
        }
        run.stop.compareAndSet(null, "nothing got through for " + options.patience().toSeconds()
                + " s; the rest is scheduled for retry");
        return true;
    }

    private void work(BlockingQueue<Signed> signed, SendListener listener, StopSignal stopSignal, Run run) {
        outbox.writerStarted(); // group commits wait for this connection's answers too
        Sent last = null; // on the wire and answered, its answer not yet known to be on disk
        try (SmtpConnection conn = new SmtpConnection(relay)) {
            while (true) {
                Signed next = signed.poll();
                if (next == null) {
                    // nothing to send yet: settle now, not when the next message comes (the
                    // filler waits for the answers in flight, which may schedule retries)
                    Sent previous = last;
                    last = null;
                    rest(settleOrFail(previous, listener, run));
                    next = signed.take();
                }
                if (next == LAST) {
                    return;
                }
                boolean handedOver = false; // once sent, the row is settled with its answer
                try {
                    // the answer to this connection's previous message is on disk before it sends
                    // the next: a crash resends at most one message per connection
                    Sent previous = last;
                    last = null;
                    rest(settleOrFail(previous, listener, run));
                    if (!stopping(stopSignal, run)) {
                        last = send(next.row(), next.message(), conn);
                        handedOver = true;
                    }
                } catch (RuntimeException e) {
                    failRun(run, next.row(), e);
                } finally {
                    if (!handedOver) {
                        done(run, next.row()); // not sent: the row stays pending for the next run
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            settleOrFail(last, listener, run);
            outbox.writerEnded();
        }
    }

    /** After an unreachable relay, this connection rests before its next message. */
    private static void rest(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /** {@link #settle}, stopping the run on a failure it does not handle itself (the listener, feedback). */
    private long settleOrFail(Sent sent, SendListener listener, Run run) {
        try {
            return settle(sent, listener, run);
        } catch (RuntimeException e) {
            failRun(run, sent.row(), e);
            return 0;
        }
    }

    /** A message the relay has answered; its answer is handed in for the next group commit. */
    private record Sent(OutboxRow row, Outcome outcome, Instant retryAt, OutboxStore.Recording recording) {
    }

    private void failRun(Run run, OutboxRow row, RuntimeException e) {
        // the database stayed out of reach (or a bug): stop the run, keep draining the queue
        run.error.compareAndSet(null, e instanceof Problem ? e : new Problem("outbox row " + row.id()
                + ": " + e.getMessage() + " (if the relay had accepted it, the next run sends it again)", e));
        run.stop.compareAndSet(null, "a database step failed");
    }

    /** The row is settled (answer on disk) or given up for this run: its lease is not renewed any more. */
    private static void done(Run run, OutboxRow row) {
        run.held.remove(row.id());
        run.inFlight.decrementAndGet();
    }

    private static boolean stopping(StopSignal stopSignal, Run run) {
        if (run.stop.get() == null && stopSignal.stopRequested()) {
            run.stop.compareAndSet(null, stopSignal.reason());
        }
        return run.stop.get() != null;
    }

    /** Renders and signs the row's message; null when the run is stopping or the message cannot be made. */
    private byte[] compose(Release release, OutboxRow row, StopSignal stopSignal, Run run) {
        if (stopping(stopSignal, run)) {
            return null; // drain without sending; the row stays pending for the next run
        }
        try {
            long composeStart = System.nanoTime();
            byte[] message = composer.compose(release,
                    new MessageComposer.Recipient(row.subscriberId(), row.email(), row.name()), Instant.now());
            run.signingNanos.add(System.nanoTime() - composeStart);
            run.signed.increment();
            return message;
        } catch (RuntimeException e) {
            run.error.compareAndSet(null, e instanceof Problem ? e
                    : new Problem("rendering or signing for outbox row " + row.id() + " failed: " + e, e));
            run.stop.compareAndSet(null, "a message could not be rendered or signed");
            return null;
        }
    }

    /** Sends one message and hands in the relay's answer (a retry past the row's maximum age is final). */
    private Sent send(OutboxRow row, byte[] message, SmtpConnection conn) throws InterruptedException {
        rate.acquire();
        Outcome outcome = conn.send(message, row.email(), verp.envelopeFrom(row.id()));
        Instant now = Instant.now();
        Instant next = null;
        if (outcome.status() == Outcome.Status.RETRY) {
            if (options.retry().expired(row.firstAttemptAt(), now)) {
                outcome = Outcome.failed("gave up after " + options.retry().maxAge().toHours() + " h of retries; last: "
                        + outcome.reply());
            } else {
                next = now.plus(options.retry().delay(row.attempts() + 1));
            }
        }
        return new Sent(row, outcome, next, outbox.submit(row.id(), outcome, next));
    }

    /**
     * Waits until the answer is on disk, then counts it and tells the listener. Returns how long the
     * connection should rest before its next message (the relay was unreachable), in milliseconds.
     * A database out of reach for longer than {@link #withDatabase} waits stops the run.
     */
    private long settle(Sent sent, SendListener listener, Run run) {
        if (sent == null) {
            return 0;
        }
        try {
            boolean[] handedIn = {true};
            withDatabase("recording the relay's answer", () -> {
                if (handedIn[0]) {
                    handedIn[0] = false;
                    outbox.awaitRecorded(sent.recording());
                } else {
                    outbox.record(sent.row().id(), sent.outcome(), sent.retryAt()); // its group failed: on its own
                }
                return null;
            });
        } catch (RuntimeException e) {
            failRun(run, sent.row(), e);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failRun(run, sent.row(), new Problem("interrupted while the database was out of reach"));
            return 0;
        } finally {
            done(run, sent.row());
        }
        Outcome outcome = sent.outcome();
        long restMillis = 0;
        switch (outcome.status()) {
            case SENT -> {
                run.sent.incrementAndGet();
                run.lastProgressNanos.set(System.nanoTime());
            }
            case FAILED -> {
                run.failed.incrementAndGet();
                run.lastProgressNanos.set(System.nanoTime());
                if (!outcome.reply().startsWith("gave up")) {
                    feedback.applySmtpRefusal(sent.row().id(), sent.row().email(), outcome.reply());
                }
            }
            case RETRY -> {
                run.deferred.incrementAndGet();
                if (outcome.reply() != null && outcome.reply().startsWith("connection:")) {
                    restMillis = Math.min(2_000, options.retry().delay(sent.row().attempts() + 1).toMillis());
                }
            }
        }
        listener.delivered(sent.row().email(), outcome);
        return restMillis;
    }

    /** Asked between messages whether to stop (Ctrl-C; the {@link SendGuard} adds `halt`). */
    public interface StopSignal {
        boolean stopRequested();

        default String reason() {
            return "interrupted";
        }

        StopSignal NEVER = () -> false;
    }
}
