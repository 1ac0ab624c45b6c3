package dev.signedmail.verify;

/** What the subscriber is told, and the exit code of {@code verify}. */
public enum Verdict {
    /** Signed by the sender named in From, unchanged. Exit 0. */
    AUTHENTIC("authentic", 0),
    /** A signature is present but bad, or signer and From differ, or a signed header changed. Exit 1. */
    NOT_AUTHENTIC("not-authentic", 1),
    /** Nothing that proves authorship could be checked (no S/MIME, encrypted, DNS down, unreadable). Exit 2. */
    UNKNOWN("unknown", 2);

    private final String label;
    private final int exitCode;

    Verdict(String label, int exitCode) {
        this.label = label;
        this.exitCode = exitCode;
    }

    public String label() {
        return label;
    }

    public int exitCode() {
        return exitCode;
    }
}
