package dev.signedmail;

/**
 * A problem an operator can fix: bad input, a missing file, a wrong password, a misconfiguration.
 *
 * <p>The message is shown to the operator as it is, on one line, so it says what is wrong, where
 * (file, line, field) and how to fix it. It never contains a secret. The CLI prints it and exits 1;
 * anything else that escapes is a bug and gets a stack trace.
 */
public class Problem extends RuntimeException {
    public Problem(String message) {
        super(message);
    }

    public Problem(String message, Throwable cause) {
        super(message, cause);
    }
}
