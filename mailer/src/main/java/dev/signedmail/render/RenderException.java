package dev.signedmail.render;

import dev.signedmail.Problem;

/**
 * A template could not be rendered: a syntax error, an unknown variable or property, a missing
 * template. The message names the template file and the line, and says how to fix it. Nothing
 * must be sent when this is thrown.
 */
public class RenderException extends Problem {
    private final String template;
    private final Integer line;

    public RenderException(String message, String template, Integer line, Throwable cause) {
        super(message, cause);
        this.template = template;
        this.line = line;
    }

    /** The template as shown to the operator (a file path for an override), or null if unknown. */
    public String template() {
        return template;
    }

    /** The 1-based line in {@link #template()}, or null if unknown. */
    public Integer line() {
        return line;
    }
}
