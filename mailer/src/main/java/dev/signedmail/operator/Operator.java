package dev.signedmail.operator;

import dev.signedmail.Problem;
import java.time.Instant;
import java.util.Arrays;

/** A stored operator, without secrets. */
public record Operator(long id, String name, Role role, boolean disabled, boolean hasPassword, Instant createdAt) {

    /** Refuses unless this operator has one of {@code roles}; says what the action needs. */
    public void require(String action, Role... roles) {
        if (Arrays.asList(roles).contains(role)) {
            return;
        }
        throw new Problem(action + " needs the role " + String.join(" or ", Arrays.stream(roles).map(Role::label).toList())
                + "; operator '" + name + "' is " + role.label());
    }
}
