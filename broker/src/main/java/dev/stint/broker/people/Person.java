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

    /**
     * The email an agent's {@code owner} (free text at registration) names, as a person's email
     * is kept: compatibility-normalised (NFKC, so a full-width or styled look-alike is the letter
     * it imitates), without surrounding white space of any kind, {@code Name <email>} reduced to
     * the email, lower case.
     *
     * @return empty when the owner names no email: then nobody can be shown not to be the owner
     */
    public static Optional<String> ownerEmail(String owner) {
        if (owner == null) {
            return Optional.empty();
        }
        String text = java.text.Normalizer.normalize(owner, java.text.Normalizer.Form.NFKC)
                .replaceAll("^[\\p{Z}\\s]+|[\\p{Z}\\s]+$", "");
        java.util.regex.Matcher named = NAMED.matcher(text);
        String email = (named.matches() ? named.group(1) : text).toLowerCase(java.util.Locale.ROOT);
        return PersonRegistration.EMAIL.matcher(email).matches() ? Optional.of(email) : Optional.empty();
    }

    private static final java.util.regex.Pattern NAMED = java.util.regex.Pattern.compile(".*<([^<>]+)>");

    /**
     * Whether this person may be the owner {@code owner} names: its email is theirs, or it names
     * no email at all (then nobody can tell, and the caller refuses as if it were).
     */
    public boolean mayOwn(String owner) {
        return ownerEmail(owner).map(email::equals).orElse(true);
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
