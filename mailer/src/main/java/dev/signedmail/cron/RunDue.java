package dev.signedmail.cron;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.operator.Actor;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import java.io.PrintStream;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;

/**
 * {@code run-due}: sends every scheduled release whose time has come, and resumes scheduled sends
 * a crash or halt interrupted. It acts as "cron", not as a person: it only sends what two people
 * approved, through the same {@link dev.signedmail.approval.SendGate}, and a release whose time
 * passed long ago is held for a human instead (schedule.max.late.minutes).
 */
public final class RunDue {
    /** Renewed every quarter of this while sending; a dead run blocks the next one at most this long. */
    static final Duration LEASE_TIME = Duration.ofMinutes(2);

    private RunDue() {
    }

    /** Returns the exit code: 0 nothing wrong (also when another run holds the lease), 1 a release failed or was held. */
    public static int run(MailerRuntime rt, PrintStream out) {
        String holder = Actor.localAddress() + " pid " + ProcessHandle.current().pid() + " "
                + UUID.randomUUID().toString().substring(0, 8);
        Lease lease = new Lease(rt.db(), "lease:run-due", holder, LEASE_TIME);
        if (!lease.acquire()) {
            out.println("run-due: another run is working (" + lease.describeHolder() + "); nothing to do");
            return 0;
        }
        try {
            Instant now = Instant.now();
            List<Long> due = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT id FROM releases"
                            + " WHERE scheduled_at IS NOT NULL AND scheduled_at <= :now AND status IN ('scheduled', 'sending')"
                            + " ORDER BY scheduled_at, id")
                    .bind("now", now).mapTo(Long.class).list());
            if (due.isEmpty()) {
                out.println("run-due: nothing due");
                new dev.signedmail.store.Heartbeats(rt.db()).beat("run-due");
                return 0;
            }
            Actor cron = Actor.system("cron", "cron", holder);
            ReleaseSender sender = rt.sender(cron);
            int problems = 0;
            for (long id : due) {
                try {
                    SendSummary s = sender.send(id, SendListener.NONE, () -> !lease.renewIfDue());
                    out.println(s.describe());
                    if (s.left() > 0 || s.failed() > 0) {
                        problems++;
                    }
                } catch (Problem p) {
                    out.println("run-due: release " + id + " not sent: " + p.getMessage());
                    problems++;
                }
                if (!lease.renew()) {
                    out.println("run-due: lost the lease (another run took over); stopping");
                    return 1;
                }
            }
            if (problems == 0) {
                new dev.signedmail.store.Heartbeats(rt.db()).beat("run-due");
            }
            return problems > 0 ? 1 : 0;
        } finally {
            lease.release();
        }
    }

    /** {@code now}, a time with offset (2026-07-01T08:00+01:00) or a local time in {@code zone} (2026-07-01T08:00). */
    public static Instant parseTime(String text, ZoneId zone) {
        String t = text.strip().replace(' ', 'T');
        if (t.equalsIgnoreCase("now")) {
            return Instant.now();
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeException ignored) {
            // no offset: local time in the configured zone
        }
        try {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw new Problem("--at '" + text + "' is not a time: write 2026-07-01T08:00 (in " + zone
                    + ", send.zone) or 2026-07-01T08:00+01:00");
        }
    }
}
