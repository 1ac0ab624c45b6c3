package dev.signedmail.render;

/**
 * The {@code release} variable in templates. Computed once per release, shared by all subscribers.
 *
 * @param id the release's id
 * @param title the title as written
 * @param summary the summary, or null when there is none
 * @param bodyHtml the Markdown body as sanitised HTML (raw HTML escaped): use with th:utext
 * @param bodyText the Markdown body as plain text, for the text part
 * @param link the URL of the full release on the website, or null
 * @param topic the release's topic
 * @param date the release date, e.g. "5 March 2025", in the site's time zone
 */
public record ReleaseView(
        long id,
        String title,
        String summary,
        String bodyHtml,
        String bodyText,
        String link,
        String topic,
        String date) {
}
