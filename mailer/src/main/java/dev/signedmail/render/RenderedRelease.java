package dev.signedmail.render;

/**
 * One subscriber's message content, ready to be put in a MIME multipart/alternative and signed.
 *
 * @param subject the release title on one line (CR, LF and other control characters replaced)
 * @param text the text/plain part
 * @param html the text/html part
 */
public record RenderedRelease(String subject, String text, String html) {
}
