package dev.stint.sdk;

import static dev.stint.sdk.BrokerStub.DB_PASSWORD;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.credentialsAnswer;
import static dev.stint.sdk.BrokerStub.json;
import static dev.stint.sdk.BrokerStub.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Database credentials are refused by the client for a malformed role, by the broker with its
 * reason, and as garbage when the broker's answer breaks the contract; never served in any case.
 */
class DatabaseCredentialsRefusalTest {

    private static final String TASK = "tsk_a";
    private static final String ROLE = "orders-readonly";
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(1));
    private static final Instant EXPIRES_AT = T0.plusSeconds(600);
    private static final String WHAT = "database credentials request for task tsk_a (role orders-readonly)";
    private static final String GARBAGE = WHAT + " failed: the broker answered garbage: ";
    private static final String ROLE_RULE = "' rejected: a role name is 1 to 63 characters of a-z, 0-9, '_' and '-', "
            + "starting with a letter or digit";

    private BrokerStub broker;
    private TaskSession session;

    @BeforeEach
    void openTask() throws Exception {
        broker = new BrokerStub().standard();
        broker.task(TASK, DEV, DEADLINE);
        broker.mints(TASK, DEV, "tok-a-1", 300);
        broker.issuesCredentials(TASK, credentialsAnswer("lse_1", ROLE, DEV, EXPIRES_AT));
        session = broker.open(broker.client(), TASK, DEV);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    /** A role name the client refuses, and how it is quoted in the message. */
    record BadRole(String name, String role, String quoted) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<BadRole> badRoles() {
        return Stream.of(
                new BadRole("empty", "", ""),
                new BadRole("upper case", "Orders-readonly", "Orders-readonly"),
                new BadRole("leading hyphen", "-orders", "-orders"),
                new BadRole("leading underscore", "_orders", "_orders"),
                new BadRole("dot", "orders.readonly", "orders.readonly"),
                new BadRole("space", "orders readonly", "orders readonly"),
                new BadRole("leading space", " orders", " orders"),
                new BadRole("path", "orders/../admin", "orders/../admin"),
                new BadRole("quote", "orders'--", "orders'--"),
                new BadRole("newline", "orders\nadmin", "orders?admin"),
                new BadRole("non-ASCII letter", "\u00f8rders", "\u00f8rders"),
                new BadRole("64 characters", "a".repeat(64), "a".repeat(64)),
                new BadRole("very long", "a".repeat(1000), "a".repeat(64) + "..."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRoles")
    void malformedRoleIsRefusedWithoutRequest(BadRole row) {
        assertThatThrownBy(() -> session.databaseCredentials(row.role()))
                .isExactlyInstanceOf(BrokerRejectedException.class)
                .isInstanceOfSatisfying(BrokerRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.problemType()).isEqualTo("urn:stint:problem:invalid-request");
                })
                .hasMessage("refused by the Stint client: database role name '" + row.quoted() + ROLE_RULE);
        assertThat(broker.credentialCalls(TASK)).isZero();
    }

    @Test
    void longestRoleNameIsRequested() throws Exception {
        String role = "a" + "_-9".repeat(20) + "xy";
        broker.issuesCredentials(TASK, credentialsAnswer("lse_1", role, DEV, EXPIRES_AT));

        assertThat(role).hasSize(63);
        assertThat(session.databaseCredentials(role).role()).isEqualTo(role);
    }

    @Test
    void oneCharacterRoleNameIsRequested() throws Exception {
        broker.issuesCredentials(TASK, credentialsAnswer("lse_1", "7", DEV, EXPIRES_AT));

        assertThat(session.databaseCredentials("7").role()).isEqualTo("7");
    }

    @Test
    void malformedRoleLeavesSessionAlive() throws Exception {
        assertThatThrownBy(() -> session.databaseCredentials("Orders")).isInstanceOf(BrokerRejectedException.class);

        assertThat(session.databaseCredentials(ROLE).leaseId()).isEqualTo("lse_1");
    }

    /** A refusal by the broker and what the caller sees: the exact type, status and message. */
    record Refusal(String name, ResponseDefinitionBuilder answer, Class<? extends BrokerRejectedException> type,
            int status, String problemType, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("role not defined for the tier", problem(403, "urn:stint:problem:forbidden",
                        "role orders-readonly is not defined for tier dev"), BrokerRejectedException.class, 403,
                        "urn:stint:problem:forbidden", WHAT + " rejected: role orders-readonly is not defined for "
                                + "tier dev (HTTP 403, urn:stint:problem:forbidden)"),
                new Refusal("scope not held", problem(403, "urn:stint:problem:policy-denied",
                        "task tsk_a does not hold scope db:orders:read"), BrokerRejectedException.class, 403,
                        "urn:stint:problem:policy-denied", WHAT + " rejected: task tsk_a does not hold scope "
                                + "db:orders:read (HTTP 403, urn:stint:problem:policy-denied)"),
                new Refusal("malformed role", problem(400, "urn:stint:problem:invalid-request",
                        "field 'role' is malformed"), BrokerRejectedException.class, 400,
                        "urn:stint:problem:invalid-request", WHAT + " rejected: field 'role' is malformed "
                                + "(HTTP 400, urn:stint:problem:invalid-request)"),
                new Refusal("task ended", problem(409, TaskNotActiveException.TASK_NOT_ACTIVE, "task is ended"),
                        TaskNotActiveException.class, 409, TaskNotActiveException.TASK_NOT_ACTIVE,
                        "task tsk_a is no longer active: task is ended (HTTP 409, "
                                + TaskNotActiveException.TASK_NOT_ACTIVE + ")"),
                new Refusal("task expired", problem(409, TaskNotActiveException.TASK_NOT_ACTIVE, "task is expired"),
                        TaskNotActiveException.class, 409, TaskNotActiveException.TASK_NOT_ACTIVE,
                        "task tsk_a is no longer active: task is expired (HTTP 409, "
                                + TaskNotActiveException.TASK_NOT_ACTIVE + ")"),
                new Refusal("task unknown", problem(404, "urn:stint:problem:task-not-found", "no task tsk_a"),
                        TaskNotActiveException.class, 404, "urn:stint:problem:task-not-found",
                        "task tsk_a is no longer active: no task tsk_a (HTTP 404, urn:stint:problem:task-not-found)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void brokerRefusalCarriesItsStatusTypeAndDetail(Refusal row) {
        broker.answerCredentials(TASK, row.answer());

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isExactlyInstanceOf(row.type())
                .isInstanceOfSatisfying(BrokerRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(row.status());
                    assertThat(e.problemType()).isEqualTo(row.problemType());
                })
                .hasMessage(row.message());
    }

    @Test
    void refusedRoleLeavesSessionAliveForOtherRolesAndTokens() throws Exception {
        broker.answerCredentials(TASK, problem(403, "urn:stint:problem:forbidden",
                "role orders-readonly is not defined for tier dev"));
        assertThatThrownBy(() -> session.databaseCredentials(ROLE)).isInstanceOf(BrokerRejectedException.class);
        broker.issuesCredentials(TASK, credentialsAnswer("lse_2", "orders-reports", DEV, EXPIRES_AT));

        assertThat(session.databaseCredentials("orders-reports").leaseId()).isEqualTo("lse_2");
        assertThat(session.token()).isNotNull();
    }

    /** A broker that cannot issue now, and the wait it asks for. */
    record Outage(String name, ResponseDefinitionBuilder answer, int status, Duration retryAfter, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Outage> outages() {
        return Stream.of(
                new Outage("too many leases", problem(429, "urn:stint:problem:too-many-leases",
                        "task tsk_a holds 16 leases, the most a task may").withHeader("Retry-After", "60"), 429,
                        Duration.ofSeconds(60), WHAT + " failed: the broker is unavailable (HTTP 429): task tsk_a "
                                + "holds 16 leases, the most a task may"),
                new Outage("no backend for the tier", problem(503, "urn:stint:problem:unavailable",
                        "no database backend serves tier dev").withHeader("Retry-After", "30"), 503,
                        Duration.ofSeconds(30), WHAT + " failed: the broker is unavailable (HTTP 503): no database "
                                + "backend serves tier dev"),
                new Outage("backend down", problem(503, "urn:stint:problem:unavailable",
                        "backend orders-dev did not answer").withHeader("Retry-After", "5"), 503,
                        Duration.ofSeconds(5), WHAT + " failed: the broker is unavailable (HTTP 503): backend "
                                + "orders-dev did not answer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outages")
    void brokerOutageIsUnavailableWithRetryAfterAndDetail(Outage row) {
        broker.answerCredentials(TASK, row.answer());

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isInstanceOfSatisfying(BrokerUnavailableException.class, e -> {
                    assertThat(e.status()).hasValue(row.status());
                    assertThat(e.retryAfter()).hasValue(row.retryAfter());
                })
                .hasMessage(row.message());
    }

    /** A credentials answer the client must not trust: {@code edit} breaks the good answer. */
    record Garbage(String name, Consumer<ObjectNode> edit, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Garbage> garbageAnswers() {
        return Stream.of(
                new Garbage("another tier", a -> a.put("tier", "prod"), "the credentials are for tier prod, not dev"),
                new Garbage("malformed tier", a -> a.put("tier", "Prod!"), "field 'tier' is malformed: tier must be "
                        + "1-32 lower-case letters, digits or '-', starting with a letter"),
                new Garbage("another role", a -> a.put("role", "orders-admin"),
                        "the credentials are for another role than the one requested"),
                new Garbage("expires after the deadline", a -> a.put("expires_at", DEADLINE.plusSeconds(1).toString()),
                        "the credentials expire at 2026-11-25T00:00:01Z, after the task deadline 2026-11-25T00:00:00Z"),
                new Garbage("expired on arrival", a -> a.put("expires_at", T0.toString()),
                        "the credentials expired at 2026-11-24T23:00:00Z, before they arrived; are the broker's and "
                                + "this host's clocks in step?"),
                new Garbage("expires_at not a time", a -> a.put("expires_at", "in ten minutes"),
                        "field 'expires_at' is not an RFC 3339 instant"),
                missing("username"),
                missing("password"),
                missing("lease_id"),
                missing("expires_at"),
                missing("host"),
                missing("database"),
                missing("role"),
                missing("tier"),
                new Garbage("missing port", a -> a.remove("port"),
                        "field 'port' is missing or not an integer from 1 to 65535"),
                new Garbage("empty password", a -> a.put("password", ""),
                        "field 'password' is missing or not a non-empty string"),
                new Garbage("password a number", a -> a.put("password", 12345),
                        "field 'password' is missing or not a non-empty string"),
                new Garbage("password with a control character", a -> a.put("password", DB_PASSWORD + "\u0007"),
                        "field 'password' holds control characters"),
                new Garbage("username null", a -> a.putNull("username"),
                        "field 'username' is missing or not a non-empty string"),
                new Garbage("database with a newline", a -> a.put("database", "orders\nx"),
                        "field 'database' holds control characters"),
                new Garbage("port zero", a -> a.put("port", 0),
                        "field 'port' is missing or not an integer from 1 to 65535"),
                new Garbage("port too large", a -> a.put("port", 65_536),
                        "field 'port' is missing or not an integer from 1 to 65535"),
                new Garbage("port a string", a -> a.put("port", "5432"),
                        "field 'port' is missing or not an integer from 1 to 65535"),
                new Garbage("port a fraction", a -> a.put("port", 5432.5),
                        "field 'port' is missing or not an integer from 1 to 65535"),
                new Garbage("host with a path and parameters", a -> a.put("host", "db.internal/postgres?ssl=false"),
                        "field 'host' is not a host name, an IPv4 address or an IPv6 address"),
                new Garbage("host with user info", a -> a.put("host", "admin@db.internal"),
                        "field 'host' is not a host name, an IPv4 address or an IPv6 address"),
                new Garbage("host with a port", a -> a.put("host", "db.internal:5433"),
                        "field 'host' is not a host name, an IPv4 address or an IPv6 address"),
                new Garbage("host already bracketed", a -> a.put("host", "[fd00::5]"),
                        "field 'host' is not a host name, an IPv4 address or an IPv6 address"),
                new Garbage("IPv6 host with a zone", a -> a.put("host", "fe80::1%eth0"),
                        "field 'host' is not a host name, an IPv4 address or an IPv6 address"));
    }

    private static Garbage missing(String field) {
        return new Garbage("missing " + field, a -> a.remove(field),
                "field '" + field + "' is missing or not a non-empty string");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbageAnswers")
    void answerBreakingTheContractIsUnavailable(Garbage row) {
        ObjectNode answer = credentialsAnswer("lse_1", ROLE, DEV, EXPIRES_AT);
        row.edit().accept(answer);
        broker.answerCredentials(TASK, json(201, answer.toString()));

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isExactlyInstanceOf(BrokerUnavailableException.class)
                .hasMessage(GARBAGE + row.message())
                .hasMessageNotContaining(DB_PASSWORD)
                .hasNoCause();
    }

    @Test
    void answerThatIsNotAnObjectIsUnavailable() {
        broker.answerCredentials(TASK, json(201, "[\"" + DB_PASSWORD + "\"]"));

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(GARBAGE + "the body is not a JSON object");
    }
}
