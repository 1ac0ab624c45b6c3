package dev.signedmail.operator;

import dev.signedmail.Problem;
import java.util.Locale;

/** What an operator may do. Two people are needed to send: one writes, another approves. */
public enum Role {
    /** Writes and edits drafts, submits them, asks for retractions. */
    EDITOR,
    /** Approves or rejects what someone else wrote. */
    APPROVER,
    /** Everything, plus operators, resume after a halt, and confirming held releases. */
    ADMIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.label().equals(s == null ? "" : s.strip().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new Problem("--role '" + s + "' is not a role: use editor, approver or admin");
    }
}
