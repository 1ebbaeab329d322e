package dev.stint.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static dev.stint.vault.VaultStub.CLOCK;
import static dev.stint.vault.VaultStub.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Role names and lease ids become request paths and bodies: anything that is not one is rejected
 * before a single request reaches Vault, and the reason does not repeat it.
 */
class VaultInputInjectionTest extends AgainstOneVault {

    static Stream<Arguments> notRoleNames() {
        return Stream.of(
                arguments("path traversal", "../sys/seal"),
                arguments("query string", "role?x=y"),
                arguments("encoded slash and traversal", "role%2F.."),
                arguments("nested path", "a/b"),
                arguments("newline", "readonly\nINFO role granted"),
                arguments("carriage return", "readonly\r"),
                arguments("unicode look-alike", "readоnly"),
                arguments("accented letter", "rôle"),
                arguments("empty", ""),
                arguments("space", "read only"),
                arguments("fragment", "readonly#x"),
                arguments("dot", "read.only"),
                arguments("200 characters", "a".repeat(200)),
                arguments("129 characters", "a".repeat(129)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notRoleNames")
    void roleNameThatIsNotOneIsRejectedBeforeAnyRequest(String name, String role) {
        var failure = catchThrowableOfType(VaultRejectedException.class, () -> engine.issue(role, NOW.plusSeconds(600), CLOCK));

        assertThat(failure).hasMessage(vault.describe()
                + ": issuing credentials rejected: the role name must be 1 to 128 of A-Z a-z 0-9 _ -");
        vault.server.verify(0, anyRequestedFor(anyUrl()));
    }

    static Stream<Arguments> notLeaseIds() {
        return Stream.of(
                arguments("path traversal", "../sys/seal", "must be a lease of this mount (database/creds/...)"),
                arguments("traversal after the prefix", "database/creds/../../sys/seal", "must not contain .."),
                arguments("query string", "role?x=y", "must be a lease of this mount (database/creds/...)"),
                arguments("encoded traversal", "role%2F..", "must be a lease of this mount (database/creds/...)"),
                arguments("another mount", "other/creds/readonly/AbCd", "must be a lease of this mount (database/creds/...)"),
                arguments("a mount that only starts alike", "database2/creds/readonly/AbCd",
                        "must be a lease of this mount (database/creds/...)"),
                arguments("prefix alone", "database/creds/", "must be a lease of this mount (database/creds/...)"),
                arguments("newline", "database/creds/readonly/AbCd\nINFO revoked", "must be printable ASCII without spaces"),
                arguments("space", "database/creds/readonly/Ab Cd", "must be printable ASCII without spaces"),
                arguments("unicode", "database/creds/readonly/Ab\u00e9Cd", "must be printable ASCII without spaces"),
                arguments("empty", "", "must be 1 to 512 characters"),
                arguments("513 characters", "database/creds/readonly/" + "a".repeat(489), "must be 1 to 512 characters"));
    }

    @ParameterizedTest(name = "revoke: {0}")
    @MethodSource("notLeaseIds")
    void leaseIdThatIsNotOneIsNeverRevoked(String name, String leaseId, String why) {
        var failure = catchThrowableOfType(VaultRejectedException.class, () -> engine.revoke(leaseId));

        assertThat(failure).hasMessage(vault.describe() + ": revoking a lease rejected: the lease id " + why);
        vault.server.verify(0, anyRequestedFor(anyUrl()));
    }

    @ParameterizedTest(name = "lookup: {0}")
    @MethodSource("notLeaseIds")
    void leaseIdThatIsNotOneIsNeverLookedUp(String name, String leaseId, String why) {
        var failure = catchThrowableOfType(VaultRejectedException.class, () -> engine.lookup(leaseId));

        assertThat(failure).hasMessage(vault.describe() + ": looking up a lease rejected: the lease id " + why);
        vault.server.verify(0, anyRequestedFor(anyUrl()));
    }
}
