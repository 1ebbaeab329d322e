package dev.stint.token;

/** Turns task claims into a signed task token. Implementations are thread safe. */
@FunctionalInterface
public interface TaskTokenMinter {

    /**
     * @return the compact serialisation of a JWS with header {@code typ: stint+jwt}
     * @throws KeyUnavailableException when the signing key or provider failed; never a verdict
     */
    String mint(TaskClaims claims) throws KeyUnavailableException;
}
