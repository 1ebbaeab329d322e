package dev.stint.token;

/** Turns a task token into its claims, or rejects it. Implementations are thread safe. */
@FunctionalInterface
public interface TaskTokenVerifier {

    /**
     * @return the verified claims; never {@code null}
     * @throws TokenRejectedException when the token is not acceptable, with the reason
     * @throws KeyUnavailableException when keys could not be obtained to decide
     */
    TaskClaims verify(String token) throws TokenRejectedException, KeyUnavailableException;
}
