package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stint.sdk.BrokerStub.DB_PASSWORD;
import static dev.stint.sdk.BrokerStub.DB_USER;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.json;
import static dev.stint.sdk.BrokerStub.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A session lists its task's leases as the broker reports them, never with a password. */
class LeaseListTest {

    private static final String TASK = "tsk_a";
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(1));
    private static final String GARBAGE = "lease list request for task tsk_a failed: the broker answered garbage: ";

    private BrokerStub broker;
    private TaskSession session;

    @BeforeEach
    void openTask() throws Exception {
        broker = new BrokerStub().standard();
        broker.task(TASK, DEV, DEADLINE);
        session = broker.open(broker.client(), TASK, DEV);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private static ObjectNode activeLease() {
        return Json.MAPPER.createObjectNode()
                .put("lease_id", "lse_1")
                .put("role", "orders-readonly")
                .put("tier", "dev")
                .put("connection", "orders-dev")
                .put("username", DB_USER)
                .put("state", "active")
                .put("created_at", T0.toString())
                .put("expires_at", T0.plusSeconds(600).toString());
    }

    private static ObjectNode revokedLease() {
        return activeLease().put("lease_id", "lse_0").put("state", "revoked")
                .put("revoked_at", T0.plusSeconds(60).toString());
    }

    private void listing(ObjectNode... leases) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("leases").addAll(List.of(leases));
        broker.listsLeases(TASK, json(200, body.toString()));
    }

    @Test
    void leasesCarryTheBrokersListInItsOrder() throws Exception {
        listing(revokedLease(), activeLease().put("last_error", "backend orders-dev timed out; retrying"));

        List<LeaseInfo> leases = session.leases();

        assertThat(leases).containsExactly(
                new LeaseInfo("lse_0", "orders-readonly", DEV, "orders-dev", DB_USER, LeaseState.REVOKED, T0,
                        T0.plusSeconds(600), T0.plusSeconds(60), null),
                new LeaseInfo("lse_1", "orders-readonly", DEV, "orders-dev", DB_USER, LeaseState.ACTIVE, T0,
                        T0.plusSeconds(600), null, "backend orders-dev timed out; retrying"));
        broker.server.verify(1, getRequestedFor(urlEqualTo("/v1/tasks/tsk_a/leases"))
                .withHeader("Authorization", equalTo("Bearer agent-token-1")));
    }

    @Test
    void taskWithoutLeasesListsNone() throws Exception {
        listing();

        assertThat(session.leases()).isEmpty();
    }

    @Test
    void everyWireStateIsKnown() throws Exception {
        listing(activeLease().put("state", "pending").putNull("username"), activeLease().put("state", "active"),
                activeLease().put("state", "revoking"), activeLease().put("state", "failed"), revokedLease());

        assertThat(session.leases()).extracting(LeaseInfo::state).containsExactly(LeaseState.PENDING,
                LeaseState.ACTIVE, LeaseState.REVOKING, LeaseState.FAILED, LeaseState.REVOKED);
    }

    @Test
    void passwordSentByABrokenBrokerIsDropped() throws Exception {
        listing(activeLease().put("password", DB_PASSWORD));

        List<LeaseInfo> leases = session.leases();

        assertThat(leases).hasSize(1);
        assertThat(leases.toString()).doesNotContain(DB_PASSWORD);
    }

    @Test
    void endedSessionStillListsItsLeases() throws Exception {
        session.end();
        listing(activeLease().put("state", "revoking"));

        assertThat(session.leases()).extracting(LeaseInfo::state).containsExactly(LeaseState.REVOKING);
    }

    @Test
    void refusedListIsRejected() {
        broker.listsLeases(TASK, problem(404, "urn:stint:problem:task-not-found", "no task tsk_a"));

        assertThatThrownBy(session::leases)
                .isExactlyInstanceOf(BrokerRejectedException.class)
                .hasMessage("lease list request for task tsk_a rejected: no task tsk_a "
                        + "(HTTP 404, urn:stint:problem:task-not-found)");
    }

    /** A list the client must not trust: {@code edit} breaks one good lease. */
    record Garbage(String name, Consumer<ObjectNode> edit, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Garbage> garbageLeases() {
        return Stream.of(
                new Garbage("lease in another tier", l -> l.put("tier", "prod"),
                        "lease lse_1 is in tier prod, not dev"),
                new Garbage("unknown state", l -> l.put("state", "expired"),
                        "field 'state' is not a known lease state: expired"),
                new Garbage("missing lease_id", l -> l.remove("lease_id"),
                        "field 'lease_id' is missing or not a non-empty string"),
                new Garbage("missing connection", l -> l.remove("connection"),
                        "field 'connection' is missing or not a non-empty string"),
                new Garbage("username a number", l -> l.put("username", 7),
                        "field 'username' is missing or not a non-empty string"),
                new Garbage("revoked_at not a time", l -> l.put("revoked_at", "yesterday"),
                        "field 'revoked_at' is not an RFC 3339 instant"),
                new Garbage("missing expires_at", l -> l.remove("expires_at"),
                        "field 'expires_at' is missing or not a non-empty string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbageLeases")
    void listBreakingTheContractIsUnavailable(Garbage row) {
        ObjectNode lease = activeLease();
        row.edit().accept(lease);
        listing(revokedLease(), lease);

        assertThatThrownBy(session::leases)
                .isExactlyInstanceOf(BrokerUnavailableException.class)
                .hasMessage(GARBAGE + row.message());
    }

    @Test
    void listWithoutLeasesFieldIsUnavailable() {
        broker.listsLeases(TASK, json(200, "{\"items\":[]}"));

        assertThatThrownBy(session::leases)
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(GARBAGE + "field 'leases' is missing or not an array");
    }
}
