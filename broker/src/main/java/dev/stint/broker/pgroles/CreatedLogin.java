package dev.stint.broker.pgroles;

import java.util.Objects;

/**
 * A task login just made: the one time its password is known outside PostgreSQL, which holds only
 * a SCRAM verifier of it. {@link #toString()} never shows the password.
 *
 * @param username the login's role name
 * @param password 43 characters of base64url (256 random bits); never printed
 */
public record CreatedLogin(String username, String password) {

    public CreatedLogin {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "CreatedLogin[username=" + username + ", password=(hidden)]";
    }
}
