package dev.signedmail.feedback;

import java.util.List;
import java.util.Optional;

/**
 * What one incoming message said.
 *
 * @param findings  per-recipient outcomes; empty when the message is no bounce, complaint or auto-reply
 * @param verpToken the TOKEN of a {@code bounces+TOKEN@domain} address found in the message, if any
 * @param format    which reader recognised it (dsn, arf, auto-reply, text, none), for diagnostics
 */
public record ParsedMail(List<Finding> findings, Optional<String> verpToken, String format) {
    public ParsedMail {
        findings = List.copyOf(findings);
    }

    public boolean isFeedback() {
        return !findings.isEmpty();
    }
}
