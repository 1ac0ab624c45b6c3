package dev.signedmail.render;

/**
 * The {@code site} variable in templates.
 *
 * @param organisation the press office's name
 * @param baseUrl the organisation's website
 */
public record SiteView(String organisation, String baseUrl) {
}
