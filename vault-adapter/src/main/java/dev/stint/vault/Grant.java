package dev.stint.vault;

import dev.stint.vault.VaultAnswer.MalformedAnswerException;
import io.github.jopenlibs.vault.json.JsonObject;
import java.util.Optional;

/**
 * What {@code GET <mount>/creds/<role>} answered, read strictly: a lease of this mount and role,
 * whether it is renewable, its duration in seconds, and the login. Any field missing or of the
 * wrong type makes the whole answer malformed.
 */
record Grant(String leaseId, boolean renewable, long leaseSeconds, String username, String password) {

    static Grant read(VaultAnswer answer, String mount, String role) throws MalformedAnswerException {
        JsonObject root = answer.object();
        String leaseId = VaultAnswer.text(root, "lease_id");
        if (!isLeaseOf(leaseId, mount, role)) {
            throw new MalformedAnswerException("lease_id is not a lease of " + mount + "/creds/" + role);
        }
        return new Grant(leaseId,
                VaultAnswer.bool(root, "renewable"),
                VaultAnswer.wholeNumber(root, "lease_duration", 1),
                VaultAnswer.text(root, "data.username"),
                VaultAnswer.text(root, "data.password"));
    }

    /** The lease a malformed answer still names, so that it can be revoked rather than left to expire. */
    static Optional<String> leaseIn(VaultAnswer answer, String mount, String role) {
        try {
            String leaseId = VaultAnswer.text(answer.object(), "lease_id");
            return isLeaseOf(leaseId, mount, role) ? Optional.of(leaseId) : Optional.empty();
        } catch (MalformedAnswerException noLease) {
            return Optional.empty();
        }
    }

    private static boolean isLeaseOf(String leaseId, String mount, String role) {
        return VaultNames.leaseIdProblem(mount, leaseId).isEmpty()
                && leaseId.startsWith(mount + "/creds/" + role + "/");
    }

    @Override
    public String toString() {
        return "Grant[leaseId=" + leaseId + ", renewable=" + renewable + ", leaseSeconds=" + leaseSeconds
                + ", username=" + username + ", password=(hidden)]";
    }
}
