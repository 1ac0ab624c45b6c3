package dev.signedmail.release;

import java.time.Instant;

/**
 * One press release as stored: the content that is rendered and signed, and where it is in its life.
 *
 * @param bodyMarkdown the body as the press office wrote it (CommonMark)
 * @param link optional URL of the full release on the website, or null
 * @param topic the subscriber topic it goes to ("general" when none was given)
 * @param sharedBody shared-body mode: one signed body for everyone, nothing personal in it (the
 *     per-subscriber unsubscribe link stays in the List-Unsubscribe header); for urgent broadcasts
 */
public record Release(
        long id,
        String title,
        String summary,
        String bodyMarkdown,
        String link,
        String topic,
        Instant createdAt,
        String status,
        boolean sharedBody) {

    /** A personalised release (the usual kind). */
    public Release(long id, String title, String summary, String bodyMarkdown, String link, String topic,
                   Instant createdAt, String status) {
        this(id, title, summary, bodyMarkdown, link, topic, createdAt, status, false);
    }
}
