package dev.signedmail.render;

/**
 * The {@code links} variable in templates.
 *
 * @param unsubscribe this subscriber's unsubscribe link (every message must show it)
 * @param preferences this subscriber's preferences page
 * @param howToVerify the page explaining how to check the S/MIME signature
 * @param release the full release on the website, or null (same as {@code release.link})
 */
public record LinksView(String unsubscribe, String preferences, String howToVerify, String release) {
}
