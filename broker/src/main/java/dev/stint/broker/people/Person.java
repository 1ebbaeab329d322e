package dev.stint.broker.people;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A human of the security team: an approver, admin or auditor. People prove who they are with a
 * passkey; the email is what an agent's {@code owner} names.
 *
 * @param email lower case, unique among people
 * @param name {@code null} when none was given
 */
public record Person(
        String id,
        String email,
        String name,
        List<Role> roles,
        PersonStatus status,
        Instant createdAt,
        Instant updatedAt) {

    public Person {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(email, "email");
        roles = List.copyOf(roles);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public boolean isActive() {
        return status == PersonStatus.ACTIVE;
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** The name recorded as the actor of what this person does. */
    public String actor() {
        return "person:" + id;
    }

    /** The name to greet: the name if given, else the email. */
    public String displayName() {
        return Optional.ofNullable(name).orElse(email);
    }
}
