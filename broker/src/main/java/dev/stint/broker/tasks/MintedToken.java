package dev.stint.broker.tasks;

import dev.stint.token.TaskClaims;

/** A freshly minted task token and its claims. {@link #toString()} never prints the token. */
public record MintedToken(String token, TaskClaims claims) {

    @Override
    public String toString() {
        return "MintedToken[jti=" + claims.jwtId() + ", task=" + claims.taskId() + "]";
    }
}
