package dev.signedmail.send;

import dev.signedmail.release.Release;

/**
 * What the send path asks besides the relay: may this release go now, and should a running send
 * stop. {@link ReleaseSender} asks it itself, whoever called it (CLI, cron, web), so no interface
 * can skip it.
 */
public interface SendGuard {

    /**
     * Refuses (with a {@link dev.signedmail.Problem}) a release that must not be sent now. Called
     * with the exact release that will be rendered, before the outbox snapshot and before any SMTP
     * connection.
     */
    void check(Release release);

    /** Asked between messages from many threads; must be cheap (it may cache for about a second). */
    boolean stopRequested(long releaseId);

    /** Why {@link #stopRequested} said stop, for the summary. */
    String stopReason();

    /** The release was delivered to everyone it will reach. */
    void finished(Release release, SendSummary summary);
}
