package dev.signedmail.outbox;

import dev.signedmail.Problem;
import dev.signedmail.store.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The per-recipient outbox. The audience is snapshotted once, in one transaction, before any
 * message leaves; afterwards rows only move forward, and a row is 'sent' only after the relay's
 * 250. A rerun reads what is still pending or to retry, so nothing is lost and nothing that was
 * acknowledged is sent again.
 */
public final class OutboxStore {

    private final Database db;

    public OutboxStore(Database db) {
        this.db = db;
    }

    /**
     * Fixes the audience of a release if that has not happened yet. Returns the number of rows
     * created now (0 when an earlier run already took the snapshot).
     */
    public int snapshot(long releaseId) {
        return db.jdbi().inTransaction(h -> {
            // lock the release row so two senders cannot both snapshot it
            Map<String, Object> r = h.createQuery("SELECT snapshot_at, status, retracts_id FROM releases WHERE id = :id FOR UPDATE")
                    .bind("id", releaseId).mapToMap().one();
            if (r.get("snapshot_at") != null) {
                return 0;
            }
            // the send path checked the approval a moment ago; an edit since then made it a draft again
            if (!"approved".equals(r.get("status")) && !"scheduled".equals(r.get("status"))) {
                throw new Problem("release " + releaseId + " became " + r.get("status")
                        + " while its send was starting; nothing was sent");
            }
            Instant now = Instant.now();
            int rows = h.createUpdate(Database.sql(r.get("retracts_id") == null ? "outbox.snapshot" : "outbox.snapshot_retraction"))
                    .bind("release", releaseId).bind("now", now).execute();
            h.createUpdate("UPDATE releases SET snapshot_at = :now, status = 'sending', updated_at = :now WHERE id = :id")
                    .bind("now", now).bind("id", releaseId).execute();
            return rows;
        });
    }

    /**
     * Claims up to {@code limit} rows for {@code owner} with a lease: rows still to deliver, due,
     * and not leased by a live sender. Rows whose sender is known to be dead (a process on this
     * host that no longer exists) are taken at once, without waiting for the lease to run out.
     * Claimed rows whose subscriber has unsubscribed or been suppressed since the snapshot are
     * cancelled here, in the same transaction, so the send path never mails such an address.
     *
     * <p>Both checks are bounded by the batch, not the release: looking for dead senders' rows
     * scans every row still to deliver, so it runs only when the plain claim comes up short
     * (near the end of a send, or when another sender holds the rest); and the inactive check
     * looks only at the claimed rows. Both used to run over the whole release before every batch,
     * which made a send of n recipients cost O(n²).
     */
    public List<OutboxRow> claim(long releaseId, String owner, int limit, Duration lease) {
        // every pass either returns rows or cancels at least one of the rows left, so this ends
        while (true) {
            Claimed c = claimOnce(releaseId, owner, limit, lease);
            if (!c.rows.isEmpty() || c.cancelled == 0) {
                return c.rows;
            }
        }
    }

    private record Claimed(List<OutboxRow> rows, int cancelled) {
    }

    private Claimed claimOnce(long releaseId, String owner, int limit, Duration lease) {
        return db.jdbi().inTransaction(h -> {
            Instant now = Instant.now();
            List<Long> ids = claimable(h, releaseId, now, limit, List.of());
            if (ids.size() < limit) {
                List<String> dead = deadOwners(h, releaseId);
                if (!dead.isEmpty()) {
                    ids = claimable(h, releaseId, now, limit, dead);
                }
            }
            if (ids.isEmpty()) {
                return new Claimed(List.of(), 0);
            }
            int cancelled = h.createUpdate(Database.sql("outbox.cancel_inactive"))
                    .bind("now", now).bindList("ids", ids).execute();
            h.createUpdate(Database.sql("outbox.lease")).bind("owner", owner).bind("until", now.plus(lease))
                    .bindList("ids", ids).execute();
            List<OutboxRow> rows = h.createQuery(Database.sql("outbox.rows")).bindList("ids", ids)
                    .map((rs, ctx) -> new OutboxRow(rs.getLong("id"), rs.getLong("release_id"), rs.getLong("subscriber_id"),
                            rs.getString("email"), rs.getString("name"), rs.getString("status"), rs.getInt("attempts"),
                            instant(rs.getObject("first_attempt_at"))))
                    .list();
            return new Claimed(rows, cancelled);
        });
    }

    /** Due retries first (a greylisted message should not wait behind the whole list), then pending rows. */
    private static List<Long> claimable(org.jdbi.v3.core.Handle h, long releaseId, Instant now, int limit, List<String> dead) {
        List<Long> ids = new java.util.ArrayList<>(limit);
        for (String status : new String[] {"retry", "pending"}) {
            if (ids.size() < limit) {
                ids.addAll(h.createQuery(Database.sql("outbox.claimable"))
                        .bind("release", releaseId).bind("status", status).bind("now", now).bind("limit", limit - ids.size())
                        .bindList("dead", dead.isEmpty() ? List.of("-") : dead)
                        .mapTo(Long.class).list());
            }
        }
        return ids;
    }

    /** Lease owners of this release that ran on this host in a process that has ended. */
    private static List<String> deadOwners(org.jdbi.v3.core.Handle h, long releaseId) {
        List<String> owners = h.createQuery(
                        "SELECT DISTINCT lease_owner FROM outbox WHERE release_id = :r AND lease_owner IS NOT NULL"
                                + " AND status IN ('pending', 'retry')")
                .bind("r", releaseId).mapTo(String.class).list();
        List<String> dead = new java.util.ArrayList<>();
        for (String o : owners) {
            if (LeaseOwner.diedOnThisHost(o)) {
                dead.add(o);
            }
        }
        return dead;
    }

    /** When something of this release may next become claimable for {@code owner}; empty when nothing is left. */
    public java.util.Optional<Instant> nextWake(long releaseId, String owner) {
        return db.jdbi().withHandle(h -> h.createQuery(Database.sql("outbox.next_wake"))
                .bind("release", releaseId).bind("owner", owner).bind("now", Instant.now())
                .map((rs, ctx) -> instant(rs.getObject("wake"))).findOne().flatMap(java.util.Optional::ofNullable));
    }

    /**
     * Extends {@code owner}'s lease on the rows {@code ids} it still holds to {@code lease} from now;
     * returns how many it still held. A sender calls this while it works, so its lease expires only
     * when it dies, not while its claimed rows wait in its queue.
     */
    public int renewLeases(String owner, java.util.Collection<Long> ids, Duration lease) {
        if (ids.isEmpty()) {
            return 0;
        }
        return db.jdbi().withHandle(h -> h.createUpdate(Database.sql("outbox.renew_leases"))
                .bind("owner", owner).bind("until", Instant.now().plus(lease)).bindList("ids", ids.stream().sorted().toList())
                .execute());
    }

    /** Gives back the unsent rows {@code owner} still holds, so another sender can take them at once. */
    public void releaseLeases(long releaseId, String owner) {
        db.jdbi().useHandle(h -> h.createUpdate(Database.sql("outbox.release_leases"))
                .bind("release", releaseId).bind("owner", owner).execute());
    }

    /**
     * Records the relay's answer for one row; committed before this returns. {@code next}: when to
     * retry, or null.
     *
     * <p>Group commit without a thread of its own: answers that arrive while a commit is running
     * wait for it, and the first of them to get the lock next writes all that are waiting in one
     * transaction. Nothing is weaker than one transaction per answer (each caller returns only
     * after its own answer is on disk, so a connection still has at most one message out without
     * its answer recorded), but the store pays once per group: H2 writes every changed page on each
     * commit, PostgreSQL flushes its log. Groups form from answers handed in with {@link #submit}
     * while a commit runs; the first may also wait up to the commit delay for the others' answers
     * (see {@link #gather()}).
     */
    public void record(long rowId, Outcome outcome, Instant next) {
        awaitRecorded(submit(rowId, outcome, next));
    }

    /**
     * Hands in the relay's answer for one row for the next group commit and returns at once; it
     * is on disk only when {@link #awaitRecorded} returns. A connection uses the time between to
     * sign its next message, and awaits before sending it: its answers still reach the disk before
     * it sends again, and the group grows by every answer handed in meanwhile, without the waiting
     * of a commit delay.
     */
    public Recording submit(long rowId, Outcome outcome, Instant next) {
        String reply = outcome.reply() == null ? null
                : outcome.reply().length() > 1000 ? outcome.reply().substring(0, 1000) : outcome.reply();
        Answer mine = new Answer(rowId, outcome.status().column, reply, next, Instant.now());
        answers.add(mine);
        return mine;
    }

    /** An answer handed in with {@link #submit}. */
    public sealed interface Recording permits Answer {
    }

    /**
     * Returns when the answer is on disk (writing it, and all others waiting, if no commit is
     * running); throws the database's error if its group could not be written, after which the
     * answer is not waiting any more: {@link #record} it again.
     */
    public void awaitRecorded(Recording recording) {
        Answer mine = (Answer) recording;
        commitLock.lock();
        waiting++;
        try {
            // a leader is gathering a group: wake it (one more writer waits) and wait for its commit
            while (!mine.done && gathering) {
                arrived.signal();
                committed.awaitUninterruptibly(); // the relay has accepted: the answer must be written
            }
            if (mine.done) {
                rethrow(mine);
                return; // an earlier writer took it along
            }
            gather();
            List<Answer> group = new java.util.ArrayList<>();
            for (Answer a; (a = answers.poll()) != null; ) {
                group.add(a);
            }
            RuntimeException error = null;
            try {
                writeAnswers(group);
            } catch (RuntimeException e) {
                error = e;
            }
            for (Answer a : group) {
                a.error = error;
                a.done = true;
            }
            commits.increment();
            answersWritten.add(group.size());
            committed.signalAll();
            rethrow(mine);
        } finally {
            waiting--;
            commitLock.unlock();
        }
    }

    /**
     * The leader waits, for at most the commit delay, while more writers than there are cores are
     * still at work (not waiting for a commit themselves; the leader counts as waiting), or until
     * all have an answer in. So a commit takes along the answers of most connections without
     * waiting for the last few. Waiting for every connection's answer made them move in
     * lock-step (when each connection signed its own messages: groups of 8 instead of 2.3, the
     * last connection signing alone while the rest waited, and no faster; benchmark, README). A
     * single writer never waits. Called with the lock held.
     */
    private void gather() {
        if (writers.get() <= 1 || commitDelayNanos <= 0) {
            return;
        }
        gathering = true;
        try {
            long left = commitDelayNanos;
            while (left > 0 && answers.size() < writers.get() && writers.get() - waiting > CORES) {
                left = arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // commit what is there now; the caller sees the flag
        } finally {
            gathering = false;
        }
    }

    /** The cores this process may use. */
    static final int CORES = Runtime.getRuntime().availableProcessors();

    /** A connection that records answers through this store starts; call {@link #writerEnded()} when it ends. */
    public void writerStarted() {
        writers.incrementAndGet();
    }

    public void writerEnded() {
        writers.decrementAndGet();
        commitLock.lock();
        try {
            arrived.signal(); // a leader waiting for this writer's answer need not wait any more
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * How long a group commit waits for the other connections' answers ({@code send.commit.delay.ms});
     * zero commits each group at once. Returns this.
     */
    public OutboxStore commitDelay(Duration delay) {
        this.commitDelayNanos = delay.toNanos();
        return this;
    }

    /** Transactions that wrote answers, and answers written, since this store was made. */
    public long commits() {
        return commits.sum();
    }

    public long answersWritten() {
        return answersWritten.sum();
    }

    /** Answers waiting for the next group commit; {@code done} and {@code error} are written and read under {@link #commitLock}. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Answer> answers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.locks.ReentrantLock commitLock = new java.util.concurrent.locks.ReentrantLock();
    /** Signalled when an answer arrives while a leader gathers. */
    private final java.util.concurrent.locks.Condition arrived = commitLock.newCondition();
    /** Signalled when a group is on disk. */
    private final java.util.concurrent.locks.Condition committed = commitLock.newCondition();
    /** True while a leader waits for more answers (under the lock). */
    private boolean gathering;
    /** Writers inside {@link #awaitRecorded}, the leader among them (under the lock). */
    private int waiting;
    private final java.util.concurrent.atomic.AtomicInteger writers = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long commitDelayNanos;
    private final java.util.concurrent.atomic.LongAdder commits = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder answersWritten = new java.util.concurrent.atomic.LongAdder();

    private static final class Answer implements Recording {
        final long rowId;
        final String status;
        final String reply;
        final Instant next;
        final Instant at;
        boolean done;
        RuntimeException error;

        Answer(long rowId, String status, String reply, Instant next, Instant at) {
            this.rowId = rowId;
            this.status = status;
            this.reply = reply;
            this.next = next;
            this.at = at;
        }
    }

    private static void rethrow(Answer a) {
        if (a.error != null) {
            throw a.error;
        }
    }

    /**
     * The answers of one group, in ONE transaction: all of them are on disk, or none. In id order,
     * the order in which a lease renewal (one statement over many rows) locks them too: in any
     * other order the two can deadlock (seen in a 1M-recipient send; H2 then rolls one back).
     */
    private void writeAnswers(List<Answer> group) {
        group.sort(java.util.Comparator.comparingLong(a -> a.rowId));
        db.jdbi().useTransaction(h -> {
            if (group.size() == 1) {
                bindAnswer(h.createUpdate(Database.sql("outbox.record")), group.get(0)).execute();
                return;
            }
            org.jdbi.v3.core.statement.PreparedBatch batch = h.prepareBatch(Database.sql("outbox.record"));
            for (Answer a : group) {
                bindAnswer(batch, a).add();
            }
            batch.execute();
        });
    }

    private static <S extends org.jdbi.v3.core.statement.SqlStatement<S>> S bindAnswer(S statement, Answer a) {
        return statement.bind("id", a.rowId).bind("status", a.status).bind("reply", a.reply)
                .bind("next", a.next).bind("now", a.at);
    }

    static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof Instant i) {
            return i;
        }
        throw new IllegalStateException("unexpected time value " + o.getClass());
    }

    /** How many rows of a release are in each state. */
    public Map<String, Integer> counts(long releaseId) {
        return db.jdbi().withHandle(h -> {
            Map<String, Integer> m = new java.util.TreeMap<>();
            h.createQuery(Database.sql("outbox.counts")).bind("release", releaseId)
                    .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getInt("n")))
                    .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
    }

    /** Marks the release sent when no row is left to deliver or retry. */
    public boolean finishIfDone(long releaseId) {
        return db.jdbi().withHandle(h -> h.createUpdate(
                        "UPDATE releases SET status = 'sent', updated_at = :now WHERE id = :id AND status = 'sending'"
                                + " AND NOT EXISTS (SELECT 1 FROM outbox WHERE release_id = :id AND status IN ('pending', 'retry'))")
                .bind("id", releaseId).bind("now", Instant.now()).execute()) > 0;
    }
}
