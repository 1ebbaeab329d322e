package dev.stint.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * A stand-in Vault on WireMock that answers as Vault's HTTP API documents, to the letter: paths
 * under {@code /v1/}, the token in {@code X-Vault-Token}, {@code X-Vault-Namespace} only when a
 * namespace is configured, request bodies matched exactly, and answers shaped like Vault's.
 *
 * <p>Vault documents {@code PUT} for {@code sys/leases/*}; the driver's raw {@code logical().write}
 * sends {@code POST}, which Vault's HTTP layer routes identically (both become an update
 * operation). The stubs match {@code POST}, what is really sent.
 */
final class VaultStub implements AutoCloseable {

    static final String TOKEN = "hvs.CAESIJ-dev-tier-token-never-printed";
    static final String PASSWORD = "A1a-sEcReT-pAsSwOrD-0000";
    static final String USERNAME = "v-token-readonly-x4TPq2bQ-1764324000";
    static final String MOUNT = "database";
    static final String ROLE = "readonly";
    static final String LEASE = "database/creds/readonly/AbCdEf0123456789ghIJklMN";
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    final WireMockServer server;
    private final String token;
    private final Optional<String> namespace;

    VaultStub() {
        this(TOKEN, Optional.empty());
    }

    VaultStub(String token, Optional<String> namespace) {
        this.token = token;
        this.namespace = namespace;
        this.server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").containerThreads(8));
        server.start();
    }

    URI address() {
        return URI.create(server.baseUrl());
    }

    VaultConnection connection() {
        return connection(Duration.ofSeconds(2));
    }

    VaultConnection connection(Duration timeout) {
        return new VaultConnection(address(), namespace, MOUNT, token, timeout);
    }

    /** How every reason of an engine on this stub begins. */
    String describe() {
        return "Vault at " + server.baseUrl() + namespace.map(ns -> " namespace " + ns).orElse("") + " mount " + MOUNT;
    }

    /** A request as the engine must send it: the token, and the namespace header exactly when configured. */
    MappingBuilder authenticated(MappingBuilder request) {
        request.withHeader("X-Vault-Token", equalTo(token));
        return request.withHeader("X-Vault-Namespace", namespace.map(ns -> equalTo(ns)).orElse(absent()));
    }

    void onCreds(String role, ResponseDefinitionBuilder answer) {
        server.stubFor(authenticated(get(urlEqualTo("/v1/" + MOUNT + "/creds/" + role))).willReturn(answer));
    }

    void onRenew(String leaseId, long increment, ResponseDefinitionBuilder answer) {
        server.stubFor(authenticated(post(urlEqualTo("/v1/sys/leases/renew"))
                .withRequestBody(equalToJson("{\"lease_id\":\"" + leaseId + "\",\"increment\":" + increment + "}")))
                .willReturn(answer));
    }

    void onRevoke(String leaseId, ResponseDefinitionBuilder answer) {
        server.stubFor(authenticated(post(urlEqualTo("/v1/sys/leases/revoke"))
                .withRequestBody(equalToJson("{\"lease_id\":\"" + leaseId + "\",\"sync\":true}")))
                .willReturn(answer));
    }

    void onLookup(String leaseId, ResponseDefinitionBuilder answer) {
        server.stubFor(authenticated(post(urlEqualTo("/v1/sys/leases/lookup"))
                .withRequestBody(equalToJson("{\"lease_id\":\"" + leaseId + "\"}")))
                .willReturn(answer));
    }

    /** Vault revokes the lease, and afterwards no longer knows it. */
    void revokesCleanly(String leaseId) {
        onRevoke(leaseId, noContent());
        onLookup(leaseId, invalidLease());
    }

    static RequestPatternBuilder revokeRequest(String leaseId) {
        return postRequestedFor(urlEqualTo("/v1/sys/leases/revoke"))
                .withRequestBody(equalToJson("{\"lease_id\":\"" + leaseId + "\",\"sync\":true}"));
    }

    static RequestPatternBuilder anyRevokeRequest() {
        return postRequestedFor(urlEqualTo("/v1/sys/leases/revoke"));
    }

    static RequestPatternBuilder anyRenewRequest() {
        return postRequestedFor(urlEqualTo("/v1/sys/leases/renew"));
    }

    /** {@code GET <mount>/creds/<role>} as the database secrets engine answers it. */
    static ResponseDefinitionBuilder creds(String leaseId, boolean renewable, long leaseDuration) {
        return json(200, "{\"request_id\":\"8b0b5b64-6a3c-4f7e-9d5e-0c1e2a3b4c5d\",\"lease_id\":\"" + leaseId + "\","
                + "\"renewable\":" + renewable + ",\"lease_duration\":" + leaseDuration + ","
                + "\"data\":{\"password\":\"" + PASSWORD + "\",\"username\":\"" + USERNAME + "\"},"
                + "\"wrap_info\":null,\"warnings\":null,\"auth\":null,\"mount_type\":\"database\"}");
    }

    /** {@code sys/leases/renew} as Vault answers it for a database lease (no data). */
    static ResponseDefinitionBuilder renewed(String leaseId, long leaseDuration) {
        return json(200, "{\"request_id\":\"0c2f7a1e-5b8d-4e39-a6f0-1d2c3b4a5e6f\",\"lease_id\":\"" + leaseId + "\","
                + "\"renewable\":true,\"lease_duration\":" + leaseDuration + ",\"data\":null,"
                + "\"wrap_info\":null,\"warnings\":null,\"auth\":null}");
    }

    /** {@code sys/leases/lookup} for a lease Vault still holds. */
    static ResponseDefinitionBuilder validLease(String leaseId, String expireTime, long ttl) {
        return json(200, "{\"request_id\":\"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a\",\"lease_id\":\"\","
                + "\"renewable\":false,\"lease_duration\":0,\"data\":{\"expire_time\":\"" + expireTime + "\","
                + "\"id\":\"" + leaseId + "\",\"issue_time\":\"2026-11-28T09:00:00.123456789Z\","
                + "\"last_renewal\":null,\"renewable\":true,\"ttl\":" + ttl + "},"
                + "\"wrap_info\":null,\"warnings\":null,\"auth\":null}");
    }

    static ResponseDefinitionBuilder invalidLease() {
        return errors(400, "invalid lease");
    }

    static ResponseDefinitionBuilder noContent() {
        return aResponse().withStatus(204);
    }

    static ResponseDefinitionBuilder errors(int status, String... errors) {
        StringBuilder body = new StringBuilder("{\"errors\":[");
        for (int i = 0; i < errors.length; i++) {
            body.append(i == 0 ? "" : ",").append('"').append(errors[i].replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n").replace("\t", "\\t")).append('"');
        }
        return json(status, body.append("]}").toString());
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** Neither the token nor the password in the message, in {@code toString()}, or anywhere in the printed stack trace. */
    static void assertNoSecretIn(Throwable failure) {
        StringWriter printed = new StringWriter();
        failure.printStackTrace(new PrintWriter(printed));
        assertThat(failure.getMessage()).doesNotContain(TOKEN).doesNotContain(PASSWORD);
        assertThat(failure.toString()).doesNotContain(TOKEN).doesNotContain(PASSWORD);
        assertThat(printed.toString()).doesNotContain(TOKEN).doesNotContain(PASSWORD);
    }

    @Override
    public void close() {
        server.stop();
    }
}
