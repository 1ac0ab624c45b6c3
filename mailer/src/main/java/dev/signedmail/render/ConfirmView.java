package dev.signedmail.render;

/**
 * The confirmation-specific part of the double opt-in template model ({@code ${confirm.…}}).
 *
 * @param url the link that confirms (shows a page with a button; only the button's POST confirms)
 * @param topics the requested topics, comma-separated
 * @param expires when the link stops working, as a date
 */
public record ConfirmView(String url, String topics, String expires) {
}
