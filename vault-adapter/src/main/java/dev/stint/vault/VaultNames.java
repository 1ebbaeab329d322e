package dev.stint.vault;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a mount path, a namespace, a role name and a lease id may look like. They end up in request
 * paths and bodies, so anything else is refused before a request is sent: no {@code ..}, no
 * encoded or query characters, no whitespace or control characters, nothing outside ASCII. Reasons
 * never repeat the refused text (it may be a log-injection attempt); they say what was expected.
 */
final class VaultNames {

    static final int MAX_PATH_LENGTH = 128;
    static final int MAX_LEASE_ID_LENGTH = 512;

    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private VaultNames() {
    }

    /** Checks a mount or namespace path: segments of {@code [A-Za-z0-9_.-]+} joined by {@code /}, no {@code ..}. */
    static void checkPath(String what, String path) {
        if (path.length() > MAX_PATH_LENGTH || !PATH.matcher(path).matches() || path.contains("..")) {
            throw new IllegalArgumentException(what + " must be path segments of A-Z a-z 0-9 _ . - joined by /,"
                    + " without .., without a leading or trailing /, at most " + MAX_PATH_LENGTH + " characters");
        }
    }

    static boolean isRole(String role) {
        return ROLE.matcher(role).matches();
    }

    static String roleRule() {
        return "must be 1 to 128 of A-Z a-z 0-9 _ -";
    }

    /**
     * Why {@code leaseId} cannot be a lease of {@code mount}'s database engine, or empty if it
     * can: printable ASCII without spaces, at most {@value #MAX_LEASE_ID_LENGTH} characters,
     * starting with {@code <mount>/creds/}, no {@code ..}.
     */
    static Optional<String> leaseIdProblem(String mount, String leaseId) {
        if (leaseId.isEmpty() || leaseId.length() > MAX_LEASE_ID_LENGTH) {
            return Optional.of("must be 1 to " + MAX_LEASE_ID_LENGTH + " characters");
        }
        for (int i = 0; i < leaseId.length(); i++) {
            char c = leaseId.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return Optional.of("must be printable ASCII without spaces");
            }
        }
        String prefix = mount + "/creds/";
        if (!leaseId.startsWith(prefix) || leaseId.length() == prefix.length()) {
            return Optional.of("must be a lease of this mount (" + prefix + "...)");
        }
        if (leaseId.contains("..")) {
            return Optional.of("must not contain ..");
        }
        return Optional.empty();
    }
}
