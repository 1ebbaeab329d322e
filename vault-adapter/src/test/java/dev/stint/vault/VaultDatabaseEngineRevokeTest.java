package dev.stint.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stint.vault.VaultStub.LEASE;
import static dev.stint.vault.VaultStub.assertNoSecretIn;
import static dev.stint.vault.VaultStub.errors;
import static dev.stint.vault.VaultStub.invalidLease;
import static dev.stint.vault.VaultStub.noContent;
import static dev.stint.vault.VaultStub.revokeRequest;
import static dev.stint.vault.VaultStub.validLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Revoking a lease until Vault confirms it is gone, and looking leases up. */
class VaultDatabaseEngineRevokeTest extends AgainstOneVault {

    private static final String UNKNOWN_LEASE = "database/creds/readonly/NeverIssuedByThisVault00";

    @Test
    void revokeSendsSyncRevocationThenConfirmsTheLeaseIsInvalid() throws Exception {
        vault.revokesCleanly(LEASE);

        engine.revoke(LEASE);

        vault.server.verify(1, revokeRequest(LEASE));
        vault.server.verify(1, postRequestedFor(urlEqualTo("/v1/sys/leases/lookup")));
        vault.server.verify(2, anyRequestedFor(anyUrl()));
    }

    @Test
    void revokingALeaseVaultNoLongerKnowsIsDone() {
        // Vault's revokeCommon returns nil for a lease it has no entry for: 204, like a revocation.
        vault.onRevoke(UNKNOWN_LEASE, noContent());
        vault.onLookup(UNKNOWN_LEASE, invalidLease());

        assertThatCode(() -> engine.revoke(UNKNOWN_LEASE)).doesNotThrowAnyException();
    }

    @Test
    void revokingALeaseVaultCallsInvalidIsDone() {
        // Not what current Vault and OpenBao answer, but a retry must not fail on work already done.
        vault.onRevoke(UNKNOWN_LEASE, invalidLease());
        vault.onLookup(UNKNOWN_LEASE, invalidLease());

        assertThatCode(() -> engine.revoke(UNKNOWN_LEASE)).doesNotThrowAnyException();
    }

    @Test
    void revokingTwiceSucceedsTwice() throws Exception {
        vault.revokesCleanly(LEASE);

        engine.revoke(LEASE);
        engine.revoke(LEASE);

        vault.server.verify(2, revokeRequest(LEASE));
    }

    @Test
    void leaseStillValidAfterRevokeIsNotConfirmed() {
        vault.onRevoke(LEASE, noContent());
        vault.onLookup(LEASE, validLease(LEASE, "2026-11-28T11:00:00.228946708Z", 3558));

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.revoke(LEASE));

        assertThat(failure).hasMessage(vault.describe() + ": revoking lease " + LEASE
                + " failed: revocation not confirmed: Vault still holds the lease until 2026-11-28T11:00:00.228946708Z");
    }

    @Test
    void revocationTheDatabaseRefusedIsUnavailableNotRejected() {
        // Vault turns a failed DROP ROLE into 400 (handleError maps plain errors to ErrInvalidRequest).
        vault.onRevoke(LEASE, errors(400, "failed to revoke entry: resp: (*logical.Response)(nil) err:"
                + " pq: role \"v-token-readonly-x4TPq2bQ\" cannot be dropped because some objects depend on it"));

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.revoke(LEASE));

        assertThat(failure.getMessage()).startsWith(vault.describe() + ": revoking lease " + LEASE
                + " failed: Vault could not revoke it: failed to revoke entry:").endsWith("(HTTP 400)");
        vault.server.verify(0, postRequestedFor(urlEqualTo("/v1/sys/leases/lookup")));
    }

    @Test
    void confirmationThatCannotBeHadIsNotConfirmed() {
        vault.onRevoke(LEASE, noContent());
        vault.onLookup(LEASE, errors(503, "Vault is sealed"));

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.revoke(LEASE));

        assertThat(failure).hasMessage(vault.describe() + ": revoking lease " + LEASE + " failed: revocation not"
                + " confirmed: looking up lease " + LEASE + " failed: Vault is sealed (HTTP 503)");
    }

    @Test
    void tokenThatMayNotLookUpCannotConfirmRevocation() {
        vault.onRevoke(LEASE, noContent());
        vault.onLookup(LEASE, errors(403, "permission denied"));

        var failure = catchThrowableOfType(VaultRejectedException.class, () -> engine.revoke(LEASE));

        assertThat(failure).hasMessage(vault.describe() + ": revoking lease " + LEASE + " rejected: revocation not"
                + " confirmed: looking up lease " + LEASE + " rejected: permission denied (HTTP 403)");
        assertNoSecretIn(failure);
    }

    @Test
    void lookupOfAHeldLeaseGivesVaultsExpiryAndTtl() throws Exception {
        vault.onLookup(LEASE, validLease(LEASE, "2026-11-28T06:00:00.5-04:00", 3558));

        LeaseLookup lookup = engine.lookup(LEASE);

        assertThat(lookup).isEqualTo(new LeaseLookup.Valid(Instant.parse("2026-11-28T10:00:00.5Z"),
                Duration.ofSeconds(3558)));
    }

    @Test
    void lookupOfALeaseVaultDoesNotKnowIsInvalid() throws Exception {
        vault.onLookup(LEASE, invalidLease());

        assertThat(engine.lookup(LEASE)).isEqualTo(new LeaseLookup.Invalid());
    }

    @Test
    void lookupAnsweringAboutAnotherLeaseIsMalformed() {
        vault.onLookup(LEASE, validLease("database/creds/readonly/SomeoneElsesLease000000", "2026-11-28T11:00:00Z", 60));

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.lookup(LEASE));

        assertThat(failure).hasMessage(vault.describe() + ": looking up lease " + LEASE
                + " failed: the answer is not Vault's documented JSON: data.id is not the lease asked about");
    }

    @Test
    void lookupWithoutAnExpiryTimeIsMalformed() {
        vault.onLookup(LEASE, VaultStub.json(200, "{\"data\":{\"id\":\"" + LEASE + "\",\"expire_time\":null,\"ttl\":0}}"));

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.lookup(LEASE));

        assertThat(failure).hasMessage(vault.describe() + ": looking up lease " + LEASE + " failed: the answer is not"
                + " Vault's documented JSON: data.expire_time is missing or not a non-empty string");
    }

    @Test
    void otherBadRequestOnLookupIsRejected() {
        vault.onLookup(LEASE, errors(400, "lease_id must be specified"));

        var failure = catchThrowableOfType(VaultRejectedException.class, () -> engine.lookup(LEASE));

        assertThat(failure).hasMessage(vault.describe() + ": looking up lease " + LEASE
                + " rejected: lease_id must be specified (HTTP 400)");
    }
}
