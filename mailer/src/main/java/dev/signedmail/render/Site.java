package dev.signedmail.render;

import java.time.ZoneId;
import java.util.Objects;

/**
 * What the templates need to know about the sender, the same for every message of a run.
 *
 * @param organisation the press office's name as shown in the header, e.g. "Northshire Police"
 * @param baseUrl the organisation's website, e.g. "https://news.example.org"
 * @param howToVerifyUrl page explaining how to check the S/MIME signature
 * @param zone the time zone in which release dates are shown
 */
public record Site(String organisation, String baseUrl, String howToVerifyUrl, ZoneId zone) {
    public Site {
        Objects.requireNonNull(organisation, "organisation");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(howToVerifyUrl, "howToVerifyUrl");
        Objects.requireNonNull(zone, "zone");
    }

    /** Dates are shown in this machine's time zone. */
    public Site(String organisation, String baseUrl, String howToVerifyUrl) {
        this(organisation, baseUrl, howToVerifyUrl, ZoneId.systemDefault());
    }
}
