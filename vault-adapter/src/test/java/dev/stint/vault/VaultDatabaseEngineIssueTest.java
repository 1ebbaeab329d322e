package dev.stint.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.stint.vault.VaultStub.CLOCK;
import static dev.stint.vault.VaultStub.LEASE;
import static dev.stint.vault.VaultStub.NOW;
import static dev.stint.vault.VaultStub.PASSWORD;
import static dev.stint.vault.VaultStub.ROLE;
import static dev.stint.vault.VaultStub.USERNAME;
import static dev.stint.vault.VaultStub.anyRenewRequest;
import static dev.stint.vault.VaultStub.anyRevokeRequest;
import static dev.stint.vault.VaultStub.assertNoSecretIn;
import static dev.stint.vault.VaultStub.creds;
import static dev.stint.vault.VaultStub.errors;
import static dev.stint.vault.VaultStub.renewed;
import static dev.stint.vault.VaultStub.revokeRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issuing a login whose lease never outlives the task's deadline. */
class VaultDatabaseEngineIssueTest extends AgainstOneVault {

    /** 600.4 s away: 600 whole seconds are left, the fraction is the margin. */
    private static final Instant DEADLINE = NOW.plusMillis(600_400);

    @Test
    void leaseEndingBeforeTheDeadlineIsHandedOutAsGranted() throws Exception {
        vault.onCreds(ROLE, creds(LEASE, true, 300));

        IssuedCredentials issued = engine.issue(ROLE, DEADLINE, CLOCK);

        assertThat(issued).isEqualTo(new IssuedCredentials(USERNAME, PASSWORD, LEASE, Duration.ofSeconds(300),
                NOW.plusSeconds(300)));
        vault.server.verify(0, anyRenewRequest());
        vault.server.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void leaseEndingExactlyAtTheDeadlineIsNotRenewed() throws Exception {
        vault.onCreds(ROLE, creds(LEASE, true, 600));

        IssuedCredentials issued = engine.issue(ROLE, NOW.plusSeconds(600), CLOCK);

        assertThat(issued.expiresAt()).isEqualTo(NOW.plusSeconds(600));
        vault.server.verify(0, anyRenewRequest());
    }

    @Test
    void leaseLongerThanTheDeadlineIsRenewedWithTheWholeSecondsLeft() throws Exception {
        vault.onCreds(ROLE, creds(LEASE, true, 3600));
        vault.onRenew(LEASE, 600, renewed(LEASE, 600));

        IssuedCredentials issued = engine.issue(ROLE, DEADLINE, CLOCK);

        assertThat(issued.leaseDuration()).isEqualTo(Duration.ofSeconds(600));
        assertThat(issued.expiresAt()).isEqualTo(NOW.plusSeconds(600)).isBeforeOrEqualTo(DEADLINE);
        assertThat(issued.password()).isEqualTo(PASSWORD);
        vault.server.verify(0, anyRevokeRequest());
    }

    @Test
    void renewalAlwaysCarriesTheIncrementInTheBodyNeverInTheUrl() throws Exception {
        vault.onCreds(ROLE, creds(LEASE, true, 3600));
        vault.onRenew(LEASE, 600, renewed(LEASE, 600));

        engine.issue(ROLE, DEADLINE, CLOCK);

        // onRenew matches the body {"lease_id":..., "increment":600} exactly: had a renewal gone
        // without an increment (which resets the lease to the role's default TTL), it would not
        // have matched and the issue would have failed. Count them all to be sure.
        vault.server.verify(1, anyRenewRequest());
        vault.server.verify(0, anyRequestedFor(urlMatching("/v1/sys/leases/renew/.*")));
    }

    @Test
    void renewalThatStillOvershootsTheDeadlineRevokesTheLease() {
        vault.onCreds(ROLE, creds(LEASE, true, 3600));
        vault.onRenew(LEASE, 600, renewed(LEASE, 601));
        vault.revokesCleanly(LEASE);

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.issue(ROLE, DEADLINE, CLOCK));

        assertThat(failure).hasMessage(vault.describe() + ": issuing credentials for role readonly failed: Vault granted"
                + " 3600 s, past the deadline; renewed to 601 s, still past the deadline in 600 s; lease " + LEASE
                + " revoked");
        assertThat(failure.leaseLeftBehind()).isEmpty();
        vault.server.verify(1, revokeRequest(LEASE));
        assertNoSecretIn(failure);
    }

    @Test
    void notRenewableLeaseLongerThanTheDeadlineIsRevokedWithoutTryingToRenew() {
        vault.onCreds(ROLE, creds(LEASE, false, 3600));
        vault.revokesCleanly(LEASE);

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.issue(ROLE, DEADLINE, CLOCK));

        assertThat(failure).hasMessage(vault.describe() + ": issuing credentials for role readonly failed: Vault granted"
                + " 3600 s, past the deadline in 600 s, and the lease is not renewable; lease " + LEASE + " revoked");
        vault.server.verify(0, anyRenewRequest());
        vault.server.verify(1, revokeRequest(LEASE));
        assertNoSecretIn(failure);
    }

    @Test
    void renewalRefusedByVaultRevokesTheLease() {
        vault.onCreds(ROLE, creds(LEASE, true, 3600));
        vault.onRenew(LEASE, 600, errors(400, "lease is not renewable"));
        vault.revokesCleanly(LEASE);

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.issue(ROLE, DEADLINE, CLOCK));

        assertThat(failure).hasMessage(vault.describe() + ": issuing credentials for role readonly failed: renewing lease "
                + LEASE + " to 600 s failed: lease is not renewable (HTTP 400); lease " + LEASE + " revoked");
        vault.server.verify(1, revokeRequest(LEASE));
    }

    @Test
    void leaseThatCannotBeRevokedIsNamedAsLeftBehind() {
        vault.onCreds(ROLE, creds(LEASE, false, 3600));
        vault.onRevoke(LEASE, errors(503, "Vault is sealed"));

        var failure = catchThrowableOfType(VaultUnavailableException.class, () -> engine.issue(ROLE, DEADLINE, CLOCK));

        assertThat(failure.leaseLeftBehind()).contains(LEASE);
        assertThat(failure).hasMessage(vault.describe() + ": issuing credentials for role readonly failed: Vault granted"
                + " 3600 s, past the deadline in 600 s, and the lease is not renewable; lease " + LEASE + " left behind,"
                + " revoking lease " + LEASE + " failed: Vault is sealed (HTTP 503)");
        assertNoSecretIn(failure);
    }

    @Test
    void deadlineLessThanASecondAwayIsRejectedWithoutAskingVault() {
        var failure = catchThrowableOfType(VaultRejectedException.class,
                () -> engine.issue(ROLE, NOW.plusMillis(999), CLOCK));

        assertThat(failure).hasMessage(vault.describe()
                + ": issuing credentials for role readonly rejected: the deadline is less than a second away");
        vault.server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void namespaceIsSentOnEveryRequestWhenConfigured() throws Exception {
        try (VaultStub namespaced = new VaultStub(VaultStub.TOKEN, Optional.of("team-a/prod"));
                VaultDatabaseEngine inNamespace = new VaultDatabaseEngine(namespaced.connection())) {
            namespaced.onCreds(ROLE, creds(LEASE, true, 3600));
            namespaced.onRenew(LEASE, 600, renewed(LEASE, 600));
            namespaced.revokesCleanly(LEASE);

            inNamespace.issue(ROLE, DEADLINE, CLOCK);
            inNamespace.revoke(LEASE);

            // Every stub demands X-Vault-Namespace: team-a/prod; an unmatched request would have failed.
            namespaced.server.verify(4, anyRequestedFor(anyUrl()));
        }
    }

    @Test
    void credentialsNeverShowThePasswordWhenPrinted() throws Exception {
        vault.onCreds(ROLE, creds(LEASE, true, 300));

        IssuedCredentials issued = engine.issue(ROLE, DEADLINE, CLOCK);

        assertThat(issued.toString()).doesNotContain(PASSWORD).contains(USERNAME, LEASE, "password=(hidden)");
    }

    @Test
    void closedEngineRefusesWork() {
        engine.close();

        var failure = catchThrowableOfType(IllegalStateException.class, () -> engine.issue(ROLE, DEADLINE, CLOCK));

        assertThat(failure).hasMessage(vault.describe() + ": engine is closed");
        vault.server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void secondsLeftAreCountedOnTheClockGiven() throws Exception {
        Clock later = Clock.fixed(DEADLINE.minusSeconds(200), ZoneOffset.UTC);
        vault.onCreds(ROLE, creds(LEASE, true, 300));
        vault.onRenew(LEASE, 200, renewed(LEASE, 200));

        IssuedCredentials issued = engine.issue(ROLE, DEADLINE, later);

        assertThat(issued.expiresAt()).isEqualTo(DEADLINE);
    }
}
