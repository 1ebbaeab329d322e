package dev.stint.sdk;

/**
 * A token exchange could not start because its {@link SubjectTokenSource} gave no subject token:
 * the CI platform's token service was unreachable or refused, or the source can hand out no
 * further token (a token fixed for the job was exchanged already). Nothing was sent to the
 * broker. The message names the exchange and carries the source's reason, never a token.
 */
public final class SubjectTokenUnavailableException extends BrokerUnavailableException {

    private static final long serialVersionUID = 1L;

    SubjectTokenUnavailableException(String message, Throwable cause) {
        super(message, 0, null, cause);
    }
}
