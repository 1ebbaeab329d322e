package dev.stint.broker.people;

import java.time.Instant;
import java.util.Objects;

/**
 * A person signed in on the request at hand, as the pages' session knows them.
 *
 * @param method how they signed in
 * @param signedInAt when: rules that want a recent sign-in (re-authentication) read it
 */
public record SignedInPerson(Person person, SignInMethod method, Instant signedInAt) {

    public SignedInPerson {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(signedInAt, "signedInAt");
    }
}
