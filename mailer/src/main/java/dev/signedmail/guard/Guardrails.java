package dev.signedmail.guard;

import dev.signedmail.Problem;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.store.Database;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Whether a release may start now without an admin: the burst breaker (no more than
 * {@code send.burst.limit} releases started within {@code send.burst.window.minutes}) and the
 * sending hours ({@code send.hours} in {@code send.zone}). A "no" holds the release; it is not
 * an error in the release.
 */
public final class Guardrails {
    private final Database db;
    private final int burstLimit;
    private final Duration window;
    private final SendHours hours;
    private final Duration maxLate;

    public Guardrails(Settings settings, Database db) {
        this.db = db;
        this.burstLimit = settings.integer(Setting.SEND_BURST_LIMIT, 1, 10_000);
        this.window = Duration.ofMinutes(settings.integer(Setting.SEND_BURST_WINDOW_MINUTES, 1, 7 * 24 * 60));
        this.hours = SendHours.parse(settings.required(Setting.SEND_HOURS), zone(settings));
        this.maxLate = Duration.ofMinutes(settings.integer(Setting.SCHEDULE_MAX_LATE_MINUTES, 1, 366 * 24 * 60));
    }

    /** The configured zone for sending hours and schedules; the system's when {@code send.zone} is empty. */
    public static ZoneId zone(Settings settings) {
        String z = settings.string(Setting.SEND_ZONE);
        if (z == null || z.isBlank()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(z.strip());
        } catch (DateTimeException e) {
            throw new Problem("send.zone = '" + z + "' (from " + settings.sourceOf(Setting.SEND_ZONE)
                    + ") is not a time zone; use a name such as Europe/London");
        }
    }

    /**
     * Why release {@code releaseId} must wait for an admin if it started at {@code now}, or empty.
     *
     * @param scheduledAt when it was scheduled for, or null
     * @param unattended true when no person started this send (cron): a long-overdue schedule waits for one
     */
    public Optional<String> holdReason(long releaseId, Instant now, Instant scheduledAt, boolean unattended) {
        if (unattended && scheduledAt != null && scheduledAt.isBefore(now.minus(maxLate))) {
            return Optional.of("its scheduled time " + scheduledAt + " passed more than " + maxLate.toMinutes()
                    + " minutes ago (schedule.max.late.minutes)");
        }
        Instant since = now.minus(window);
        int started = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM releases WHERE snapshot_at > :since AND id <> :id")
                .bind("since", since).bind("id", releaseId).mapTo(Integer.class).one());
        if (started >= burstLimit) {
            return Optional.of(started + " release(s) already started in the last " + window.toMinutes()
                    + " minutes (send.burst.limit = " + burstLimit + ")");
        }
        if (!hours.allows(now)) {
            return Optional.of("it is " + ZonedDateTime.ofInstant(now, hours.zone()).toLocalTime().withNano(0)
                    + " " + hours.zone() + ", outside the sending hours " + hours + " (send.hours)");
        }
        return Optional.empty();
    }

    /** A daily window such as 07:00-22:00; one that wraps midnight (22:00-06:00) also works. */
    record SendHours(LocalTime from, LocalTime to, boolean toMidnight, ZoneId zone) {
        static SendHours parse(String text, ZoneId zone) {
            String t = text.strip();
            if (!t.matches("\\d{2}:\\d{2}-\\d{2}:\\d{2}")) {
                throw bad(text);
            }
            try {
                LocalTime from = LocalTime.parse(t.substring(0, 5));
                boolean midnight = t.endsWith("24:00");
                LocalTime to = midnight ? LocalTime.MIDNIGHT : LocalTime.parse(t.substring(6));
                return new SendHours(from, to, midnight, zone);
            } catch (DateTimeException e) {
                throw bad(text);
            }
        }

        private static Problem bad(String text) {
            return new Problem("send.hours = '" + text + "' must look like 07:00-22:00 (00:00-24:00 = all day)");
        }

        boolean allows(Instant now) {
            LocalTime t = ZonedDateTime.ofInstant(now, zone).toLocalTime();
            if (toMidnight) {
                return !t.isBefore(from);
            }
            if (from.isBefore(to)) {
                return !t.isBefore(from) && t.isBefore(to);
            }
            return !t.isBefore(from) || t.isBefore(to); // wraps midnight
        }

        @Override
        public String toString() {
            return from + "-" + (toMidnight ? "24:00" : to.toString());
        }
    }
}
