package dev.signedmail.send;

import java.util.Map;

/**
 * What one run of a send did. {@code skipped} counts rows already settled (sent or failed) by an
 * earlier run; {@code left} rows remain pending or to retry for the next run.
 */
public record SendSummary(long releaseId, int sent, int failed, int retryLater, int skipped, int left,
                          double seconds, boolean releaseFinished, String stoppedBecause, Map<String, Integer> totals) {

    public double messagesPerSecond() {
        return seconds <= 0 ? 0 : (sent + failed + retryLater) / seconds;
    }

    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("release %d: sent %d, failed %d, retry-later %d, skipped %d (settled earlier) in %.1f s, %.1f msg/s",
                releaseId, sent, failed, retryLater, skipped, seconds, messagesPerSecond()));
        if (stoppedBecause != null) {
            b.append("\nstopped: ").append(stoppedBecause);
        }
        if (left > 0) {
            b.append("\n").append(left).append(" message(s) not yet delivered: run `release send ")
                    .append(releaseId).append("` again to deliver them (nothing already sent is sent twice)");
        } else if (releaseFinished) {
            b.append("\nrelease ").append(releaseId).append(" is complete");
        }
        return b.toString();
    }
}
