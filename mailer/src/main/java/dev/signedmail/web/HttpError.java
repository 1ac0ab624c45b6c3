package dev.signedmail.web;

import dev.signedmail.Problem;

/**
 * A refusal with its HTTP status, for the press-office pages and the API. The workflow speaks in
 * {@link Problem}s (operator-fixable, no status); {@link #statusOf} decides which status each one gets.
 */
final class HttpError extends RuntimeException {
    private final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static HttpError unauthorized(String message) {
        return new HttpError(401, message);
    }

    static HttpError forbidden(String message) {
        return new HttpError(403, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    static HttpError unprocessable(String message) {
        return new HttpError(422, message);
    }

    /**
     * A workflow refusal as a status: who may not do it (role, two-person rule, disabled) is 403,
     * a missing release 404, and everything else — the release is not in a state that allows the
     * step, sending is halted — 409. Input errors are caught before the workflow is asked (422).
     */
    static HttpError of(Problem p) {
        String m = p.getMessage() == null ? "refused" : p.getMessage();
        if (m.contains("needs the role") || m.contains(" cannot approve") || m.contains(" cannot confirm")
                || m.contains("is disabled")) {
            return new HttpError(403, m);
        }
        if (m.startsWith("there is no release")) {
            return new HttpError(404, m);
        }
        return new HttpError(409, m);
    }
}
