package dev.stint.sdk;

import java.util.regex.Pattern;

/**
 * The broker's rule for the name of a database role (a policy's {@code orders-readonly}),
 * checked here first so that a malformed name is refused without a request.
 */
final class DatabaseRoles {

    /** What the broker answers for a malformed request; a client refusal carries it too. */
    static final String INVALID_REQUEST = "urn:stint:problem:invalid-request";

    private static final Pattern ROLE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private DatabaseRoles() {
    }

    static boolean isRoleName(String role) {
        return role != null && ROLE.matcher(role).matches();
    }

    /**
     * @throws BrokerRejectedException refused by this client (400, {@value #INVALID_REQUEST})
     *     when {@code role} is not 1 to 63 of {@code [a-z0-9_-]} starting with a letter or digit
     */
    static void require(String role) throws BrokerRejectedException {
        if (!isRoleName(role)) {
            throw new BrokerRejectedException(400, INVALID_REQUEST, "database role name '" + printable(role)
                    + "' rejected: a role name is 1 to 63 characters of a-z, 0-9, '_' and '-', "
                    + "starting with a letter or digit");
        }
    }

    /** The name as it can be quoted in a message: control characters shown as '?', cut at 64. */
    private static String printable(String role) {
        String shown = role.length() <= 64 ? role : role.substring(0, 64) + "...";
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
