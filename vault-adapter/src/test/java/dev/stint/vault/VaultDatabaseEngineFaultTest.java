package dev.stint.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stint.vault.VaultStub.CLOCK;
import static dev.stint.vault.VaultStub.LEASE;
import static dev.stint.vault.VaultStub.NOW;
import static dev.stint.vault.VaultStub.PASSWORD;
import static dev.stint.vault.VaultStub.ROLE;
import static dev.stint.vault.VaultStub.TOKEN;
import static dev.stint.vault.VaultStub.USERNAME;
import static dev.stint.vault.VaultStub.anyRevokeRequest;
import static dev.stint.vault.VaultStub.assertNoSecretIn;
import static dev.stint.vault.VaultStub.errors;
import static dev.stint.vault.VaultStub.json;
import static dev.stint.vault.VaultStub.revokeRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way Vault or the network can fail each call, classified as rejected (Vault judged the
 * request) or unavailable (try again later), with a reason that never carries the token or a
 * password, even when Vault's answer does.
 */
class VaultDatabaseEngineFaultTest {

    private static final String INTERNAL_ERROR_QUOTING_SECRETS = "1 error occurred:\n\t* backend failed for token "
            + TOKEN + " with password=" + PASSWORD + "\n\n";

    private static VaultStub vault;
    private VaultDatabaseEngine engine;

    /** The three calls, each stubbed at its own path with the fault under test. */
    enum Call {
        ISSUE("issuing credentials for role readonly"),
        REVOKE("revoking lease " + LEASE),
        LOOKUP("looking up lease " + LEASE);

        final String what;

        Call(String what) {
            this.what = what;
        }

        void answers(ResponseDefinitionBuilder answer) {
            switch (this) {
                case ISSUE -> vault.onCreds(ROLE, answer);
                case REVOKE -> vault.onRevoke(LEASE, answer);
                case LOOKUP -> vault.onLookup(LEASE, answer);
            }
        }

        void run(VaultDatabaseEngine engine) throws Exception {
            switch (this) {
                case ISSUE -> engine.issue(ROLE, NOW.plusSeconds(3600), CLOCK);
                case REVOKE -> engine.revoke(LEASE);
                case LOOKUP -> engine.lookup(LEASE);
            }
        }
    }

    @BeforeAll
    static void startVault() {
        vault = new VaultStub();
    }

    @AfterAll
    static void stopVault() {
        vault.close();
    }

    @BeforeEach
    void openEngine() {
        vault.server.resetAll();
        engine = new VaultDatabaseEngine(vault.connection(Duration.ofMillis(800)));
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    static Stream<Arguments> faultsOnEveryCall() {
        Stream<Arguments> faults = Stream.of(
                arguments("sealed", errors(503, "Vault is sealed"),
                        VaultUnavailableException.class, "failed: Vault is sealed (HTTP 503)"),
                arguments("permission denied", errors(403, "permission denied"),
                        VaultRejectedException.class, "rejected: permission denied (HTTP 403)"),
                arguments("rate limited", errors(429, "request path \"x\": rate limit quota exceeded"),
                        VaultUnavailableException.class, "failed: request path \"x\": rate limit quota exceeded (HTTP 429)"),
                arguments("internal error quoting the token and a password", errors(500, INTERNAL_ERROR_QUOTING_SECRETS),
                        VaultUnavailableException.class,
                        "failed: 1 error occurred: * backend failed for token (token) with password (hidden) (HTTP 500)"),
                arguments("proxy error page", aResponse().withStatus(502).withBody("<html>" + TOKEN + "</html>"),
                        VaultUnavailableException.class, "failed: Vault answered (HTTP 502)"),
                arguments("redirect elsewhere", aResponse().withStatus(307).withHeader("Location", "http://127.0.0.1:9/v1/x"),
                        VaultUnavailableException.class, "failed: unexpected answer (HTTP 307)"),
                arguments("answer slower than the timeout", errors(503, "late").withFixedDelay(2_500),
                        VaultUnavailableException.class, "failed: no answer: HttpTimeoutException"),
                arguments("connection reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                        VaultUnavailableException.class, "failed: no answer: "),
                arguments("connection closed without an answer", aResponse().withFault(Fault.EMPTY_RESPONSE),
                        VaultUnavailableException.class, "failed: no answer: "),
                arguments("random bytes then close", aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE),
                        VaultUnavailableException.class, "failed: no answer: IOException (parsing HTTP/1.1 status line, receiving)"));
        return faults.flatMap(fault -> Stream.of(Call.values()).map(call -> {
            Object[] row = fault.get();
            return arguments(call, row[0], row[1], row[2], row[3]);
        }));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("faultsOnEveryCall")
    void faultIsClassifiedAndNamesNoSecret(Call call, String name, ResponseDefinitionBuilder answer,
            Class<? extends Exception> expected, String why) {
        call.answers(answer);

        Throwable failure = catchThrowable(() -> call.run(engine));

        assertThat(failure).isInstanceOf(expected);
        assertThat(failure.getMessage()).startsWith(vault.describe() + ": " + call.what + " " + why);
        assertThat(failure.getMessage()).doesNotContain("\n").doesNotContain("<html>").doesNotContain("receiving [");
        assertNoSecretIn(failure);
        vault.server.verify(0, anyRequestedFor(urlEqualTo("/v1/x")));
    }

    static Stream<Arguments> issueAnswersOutsideTheApi() {
        String lease = "\"lease_id\":\"" + LEASE + "\",\"renewable\":true,\"lease_duration\":3600";
        String login = "\"data\":{\"username\":\"" + USERNAME + "\",\"password\":\"" + PASSWORD + "\"}";
        return Stream.of(
                arguments("unknown role", errors(400, "unknown role: readonly"), VaultRejectedException.class,
                        "rejected: unknown role: readonly (HTTP 400)", false),
                arguments("unknown mount", errors(404, "no handler for route \"database/creds/readonly\". route entry not found."),
                        VaultRejectedException.class,
                        "rejected: no handler for route \"database/creds/readonly\". route entry not found. (HTTP 404)", false),
                arguments("not JSON", json(200, "ok " + TOKEN + " " + PASSWORD), VaultUnavailableException.class,
                        "failed: the answer is not Vault's documented JSON: the body is not a JSON object", false),
                arguments("empty body", json(200, ""), VaultUnavailableException.class,
                        "failed: the answer is not Vault's documented JSON: the body is not a JSON object", false),
                arguments("no content", aResponse().withStatus(204), VaultUnavailableException.class,
                        "failed: unexpected answer (HTTP 204)", false),
                arguments("no lease id", json(200, "{\"renewable\":true,\"lease_duration\":3600," + login + "}"),
                        VaultUnavailableException.class,
                        "failed: the answer is not Vault's documented JSON: lease_id is missing or not a non-empty string", false),
                arguments("lease of another mount", json(200, "{" + lease.replace("database/", "other/") + "," + login + "}"),
                        VaultUnavailableException.class,
                        "failed: the answer is not Vault's documented JSON: lease_id is not a lease of database/creds/readonly", false),
                arguments("lease of another role", json(200, "{" + lease.replace("/readonly/", "/admin/") + "," + login + "}"),
                        VaultUnavailableException.class,
                        "failed: the answer is not Vault's documented JSON: lease_id is not a lease of database/creds/readonly", false),
                arguments("no username", json(200, "{" + lease + ",\"data\":{\"password\":\"" + PASSWORD + "\"}}"),
                        VaultUnavailableException.class, "failed: the answer is not Vault's documented JSON:"
                                + " data.username is missing or not a non-empty string; lease " + LEASE + " revoked", true),
                arguments("no password", json(200, "{" + lease + ",\"data\":{\"username\":\"" + USERNAME + "\"}}"),
                        VaultUnavailableException.class, "failed: the answer is not Vault's documented JSON:"
                                + " data.password is missing or not a non-empty string; lease " + LEASE + " revoked", true),
                arguments("data null", json(200, "{" + lease + ",\"data\":null}"),
                        VaultUnavailableException.class, "failed: the answer is not Vault's documented JSON:"
                                + " data.username is missing or not a non-empty string; lease " + LEASE + " revoked", true),
                arguments("lease duration a string", json(200, "{" + lease.replace("3600", "\"3600\"") + "," + login + "}"),
                        VaultUnavailableException.class, "failed: the answer is not Vault's documented JSON:"
                                + " lease_duration is missing or not a number; lease " + LEASE + " revoked", true),
                arguments("lease duration a fraction", json(200, "{" + lease.replace("3600", "3600.5") + "," + login + "}"),
                        VaultUnavailableException.class, "failed: the answer is not Vault's documented JSON:"
                                + " lease_duration is not a whole number; lease " + LEASE + " revoked", true),
                arguments("lease duration zero", json(200, "{" + lease.replace("3600", "0") + "," + login + "}"),
                        VaultUnavailableException.class, "failed: the answer is not Vault's documented JSON:"
                                + " lease_duration is less than 1; lease " + LEASE + " revoked", true),
                arguments("renewable missing", json(200, "{" + lease.replace("\"renewable\":true,", "") + "," + login + "}"),
                        VaultUnavailableException.class, "failed: the answer is not Vault's documented JSON:"
                                + " renewable is missing or not a boolean; lease " + LEASE + " revoked", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("issueAnswersOutsideTheApi")
    void issueAnswerOutsideTheApiIsClassifiedAndItsLeaseRevoked(String name, ResponseDefinitionBuilder answer,
            Class<? extends Exception> expected, String why, boolean leaseRevoked) {
        vault.onCreds(ROLE, answer);
        vault.revokesCleanly(LEASE);

        Throwable failure = catchThrowable(() -> engine.issue(ROLE, NOW.plusSeconds(3600), CLOCK));

        assertThat(failure).isInstanceOf(expected);
        assertThat(failure).hasMessage(vault.describe() + ": issuing credentials for role readonly " + why);
        assertNoSecretIn(failure);
        vault.server.verify(leaseRevoked ? 1 : 0, revokeRequest(LEASE));
        vault.server.verify(leaseRevoked ? 1 : 0, anyRevokeRequest());
    }

    @Test
    void vaultNobodyListensOnIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        VaultConnection nowhere = new VaultConnection(URI.create("http://127.0.0.1:" + closedPort), Optional.empty(),
                "database", TOKEN, Duration.ofSeconds(1));
        try (VaultDatabaseEngine unreachable = new VaultDatabaseEngine(nowhere)) {
            Throwable failure = catchThrowable(() -> unreachable.issue(ROLE, NOW.plusSeconds(3600), CLOCK));

            assertThat(failure).isInstanceOf(VaultUnavailableException.class);
            assertThat(failure.getMessage()).startsWith("Vault at http://127.0.0.1:" + closedPort
                    + " mount database: issuing credentials for role readonly failed: no answer: ConnectException");
            assertNoSecretIn(failure);
        }
    }
}
