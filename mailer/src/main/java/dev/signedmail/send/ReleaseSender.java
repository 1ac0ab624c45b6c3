package dev.signedmail.send;

import dev.signedmail.Problem;
import dev.signedmail.outbox.OutboxRow;
import dev.signedmail.outbox.OutboxStore;
import dev.signedmail.outbox.Outcome;
import dev.signedmail.outbox.VerpAddresses;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a release as a pipe: snapshot the audience → read a batch → render + sign → send over a
 * small pool of connections → record each relay answer. The resume point is each row's state,
 * which changes only when the relay has answered, so an interrupted run loses nothing and a rerun
 * sends only what was not acknowledged.
 */
public final class ReleaseSender {

    private static final int BATCH = 500;
    /** Connection failures in a row (over all workers) after which the relay counts as down. */
    private static final int RELAY_DOWN_AFTER = 5;

    private final ReleaseStore releases;
    private final OutboxStore outbox;
    private final MessageComposer composer;
    private final SmtpRelay relay;
    private final VerpAddresses verp;
    private final int connections;

    public ReleaseSender(ReleaseStore releases, OutboxStore outbox, MessageComposer composer, SmtpRelay relay,
                         VerpAddresses verp, int connections) {
        this.releases = releases;
        this.outbox = outbox;
        this.composer = composer;
        this.relay = relay;
        this.verp = verp;
        this.connections = connections;
    }

    /** Called once per send run before any message goes out (after the pre-flight), e.g. to log the release. */
    private java.util.function.Consumer<Release> beforeFirstMessage = r -> { };

    /** Sets what to do before the first message of a run leaves (the release log entry); returns this. */
    public ReleaseSender beforeFirstMessage(java.util.function.Consumer<Release> action) {
        this.beforeFirstMessage = action;
        return this;
    }

    private static final OutboxRow END = new OutboxRow(-1, -1, -1, "", null, "", 0);

    /** Live state of one run, shared by the reader and the workers. */
    private static final class Run {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger retry = new AtomicInteger();
        final AtomicInteger connectionFailuresInARow = new AtomicInteger();
        final AtomicReference<String> stop = new AtomicReference<>();
        final AtomicReference<RuntimeException> error = new AtomicReference<>();
    }

    public SendSummary send(long releaseId, SendListener listener, StopSignal stopSignal) {
        Release release = releases.get(releaseId);
        if ("draft".equals(release.status()) || "sending".equals(release.status())) {
            composer.preflight(release);
        }
        long start = System.nanoTime();
        outbox.snapshot(releaseId);
        Map<String, Integer> before = outbox.counts(releaseId);
        int toDo = before.getOrDefault("pending", 0) + before.getOrDefault("retry", 0);
        int settled = before.getOrDefault("sent", 0) + before.getOrDefault("failed", 0);
        Run run = new Run();
        listener.started(toDo);
        if (toDo > 0) {
            // logged before delivery, so every message a subscriber can hold is already in the public log
            beforeFirstMessage.accept(release);
            pump(release, listener, stopSignal, run);
        }
        listener.finished();
        if (run.error.get() != null) {
            throw run.error.get();
        }
        boolean finished = outbox.finishIfDone(releaseId);
        Map<String, Integer> after = outbox.counts(releaseId);
        int left = after.getOrDefault("pending", 0) + after.getOrDefault("retry", 0);
        return new SendSummary(releaseId, run.sent.get(), run.failed.get(), run.retry.get(), settled, left,
                (System.nanoTime() - start) / 1e9, finished, run.stop.get(), after);
    }

    private void pump(Release release, SendListener listener, StopSignal stopSignal, Run run) {
        BlockingQueue<OutboxRow> queue = new ArrayBlockingQueue<>(BATCH * 2);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(() -> work(release, queue, listener, stopSignal, run), "send-" + i);
            t.start();
            workers.add(t);
        }
        try {
            long after = 0;
            while (run.stop.get() == null && !stopSignal.stopRequested()) {
                outbox.cancelInactive(release.id());
                List<OutboxRow> batch = outbox.nextBatch(release.id(), after, BATCH);
                if (batch.isEmpty()) {
                    break;
                }
                for (OutboxRow row : batch) {
                    while (!queue.offer(row, 200, TimeUnit.MILLISECONDS)) {
                        if (run.stop.get() != null || stopSignal.stopRequested()) {
                            break;
                        }
                    }
                    if (run.stop.get() != null || stopSignal.stopRequested()) {
                        break;
                    }
                }
                after = batch.get(batch.size() - 1).id();
            }
            if (stopSignal.stopRequested() && run.stop.get() == null) {
                run.stop.compareAndSet(null, "interrupted");
            }
            if (run.stop.get() != null) {
                queue.clear(); // rows not yet taken stay pending in the database
            }
            for (int i = 0; i < workers.size(); i++) {
                queue.put(END);
            }
            for (Thread t : workers) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.stop.compareAndSet(null, "interrupted");
        }
    }

    private void work(Release release, BlockingQueue<OutboxRow> queue, SendListener listener, StopSignal stopSignal,
                      Run run) {
        try (SmtpConnection conn = new SmtpConnection(relay)) {
            while (true) {
                OutboxRow row = queue.take();
                if (row == END) {
                    return;
                }
                if (run.stop.get() != null || stopSignal.stopRequested()) {
                    continue; // drain without sending; the row stays pending for the next run
                }
                byte[] message;
                try {
                    message = composer.compose(release,
                            new MessageComposer.Recipient(row.subscriberId(), row.email(), row.name()), Instant.now());
                } catch (RuntimeException e) {
                    run.error.compareAndSet(null, e instanceof Problem ? e
                            : new Problem("rendering or signing for outbox row " + row.id() + " failed: " + e, e));
                    run.stop.compareAndSet(null, "a message could not be rendered or signed");
                    continue;
                }
                Outcome outcome = conn.send(message, row.email(), verp.envelopeFrom(row.id()));
                outbox.record(row.id(), outcome);
                switch (outcome.status()) {
                    case SENT -> {
                        run.sent.incrementAndGet();
                        run.connectionFailuresInARow.set(0);
                    }
                    case FAILED -> {
                        run.failed.incrementAndGet();
                        run.connectionFailuresInARow.set(0);
                    }
                    case RETRY -> {
                        run.retry.incrementAndGet();
                        if (outcome.reply() != null && outcome.reply().startsWith("connection:")
                                && run.connectionFailuresInARow.incrementAndGet() >= RELAY_DOWN_AFTER) {
                            run.stop.compareAndSet(null, "the relay " + relay.host() + ":" + relay.port()
                                    + " is not answering (" + outcome.reply() + ")");
                        }
                    }
                }
                listener.delivered(row.email(), outcome);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asked between messages whether to stop (Ctrl-C, and later `halt`). */
    public interface StopSignal {
        boolean stopRequested();

        StopSignal NEVER = () -> false;
    }
}
