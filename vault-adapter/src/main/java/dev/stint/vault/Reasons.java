package dev.stint.vault;

import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.rest.RestException;

/**
 * The reasons one engine gives, as {@code "<connection>: <what> rejected: <why>"} or
 * {@code "<connection>: <what> failed: <why>"}, and which of the two an answer from Vault deserves.
 * Vault's own words come only through {@link ErrorText}: never the token, a password or a raw body.
 */
final class Reasons {

    private final String connection;
    private final ErrorText errorText;

    Reasons(VaultConnection connection) {
        this.connection = connection.describe();
        this.errorText = new ErrorText(connection.token());
    }

    VaultRejectedException rejected(String what, String why) {
        return new VaultRejectedException(connection + ": " + what + " rejected: " + why);
    }

    VaultUnavailableException unavailable(String what, String why) {
        return new VaultUnavailableException(connection + ": " + what + " failed: " + why);
    }

    VaultUnavailableException unavailable(String what, String why, String leaseLeftBehind) {
        return new VaultUnavailableException(connection + ": " + what + " failed: " + why, leaseLeftBehind);
    }

    /**
     * Always throws, for an answer that is not the expected success: rejected if Vault judged the
     * request (4xx but 408, 412 and 429, which say "not now"), unavailable otherwise (5xx, 503
     * sealed, a redirect or any other status the API does not document for the call).
     */
    void refuse(String what, VaultAnswer answer) throws VaultRejectedException, VaultUnavailableException {
        int status = answer.status();
        if (status >= 400 && status < 500 && status != 408 && status != 412 && status != 429) {
            throw rejected(what, statusText(answer));
        }
        throw unavailable(what, statusText(answer));
    }

    /** Vault's errors and the status, e.g. {@code "Vault is sealed (HTTP 503)"}. */
    String statusText(VaultAnswer answer) {
        String errors = errorText.errorsOf(answer.body());
        String text = errors.isEmpty() ? (answer.status() < 400 ? "unexpected answer" : "Vault answered") : errors;
        return text + " (HTTP " + answer.status() + ")";
    }

    /** Vault's answer for a lease it does not know: {@code 400 {"errors":["invalid lease"]}}. */
    boolean isInvalidLease(VaultAnswer answer) {
        return answer.status() == 400 && errorText.errorsOf(answer.body()).equals("invalid lease");
    }

    /**
     * What went wrong on the wire, by the type and cleaned message of the first exception that is
     * not one of the driver's wrappers (HttpTimeoutException, ConnectException...); never the
     * driver's own message, which can repeat the answer.
     */
    String transportProblem(Throwable failure) {
        Throwable problem = failure;
        while ((problem instanceof VaultException || problem instanceof RestException) && problem.getCause() != null) {
            problem = problem.getCause();
        }
        if (problem instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String message = errorText.transportMessage(problem.getMessage());
        return problem.getClass().getSimpleName() + (message.isEmpty() ? "" : " (" + message + ")");
    }

    /** A reason of this engine without the connection in front, to quote it inside another. */
    String withoutConnection(String reason) {
        String prefix = connection + ": ";
        return reason.startsWith(prefix) ? reason.substring(prefix.length()) : reason;
    }
}
