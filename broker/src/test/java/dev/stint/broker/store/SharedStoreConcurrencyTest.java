package dev.stint.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.TestAgent;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRoutes;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.AuditRoutes;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.audit.FailureTally;
import dev.stint.broker.audit.HashChain;
import dev.stint.broker.auth.AdminCredential;
import dev.stint.broker.auth.BearerAuthenticator;
import dev.stint.broker.auth.Caller;
import dev.stint.broker.auth.ClientAssertionVerifier;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.Problems;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.broker.oauth.OAuthRoutes;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.policy.ReloadingPolicy;
import dev.stint.broker.tasks.DefaultTaskService;
import dev.stint.broker.tasks.MintRequest;
import dev.stint.broker.tasks.MintedToken;
import dev.stint.broker.tasks.OpenTaskRequest;
import dev.stint.broker.tasks.OpenedTask;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tasks.TaskRef;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.broker.tasks.TaskStatus;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import dev.stint.token.keys.KeySealer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only a store shared by several brokers can get wrong. Two nodes, each with its own
 * Vert.x, {@link PostgresStore} and services built over it (as two brokers would build them),
 * share one PostgreSQL database, and race each other on the same rows: both sides of each round
 * wait at a barrier, then start at once. Each test races many rounds, and checks its invariant
 * after every one of them in the store itself.
 *
 * <p>Login, suspension and the audit chain's verification have no service of their own: they
 * are reached through each node's real routes, over HTTP on a loopback port.
 */
class SharedStoreConcurrencyTest {

    static final int ROUNDS = 100;
    static final int AUDIT_APPENDS = 1000;
    /** Vert.x contexts per node appending to the audit log: units of one context run in turn, of several at once. */
    static final int APPENDING_CONTEXTS = 10;
    static final String ISSUER = "https://stint.example.test";
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    static final String ADMIN_TOKEN = OpaqueTokens.generate(OpaqueTokens.ADMIN_PREFIX);
    static final AgentId DEMO = new AgentId("demo-agent");
    static final String ASSERTION_TYPE = ClientAssertionVerifier.ASSERTION_TYPE;

    String url;
    Node a;
    Node b;
    TestAgent demo = TestAgent.generate(DEMO.value());
    /** The demo agent as the task routes see it: authenticated by an agent token it got at login. */
    Caller.AgentCaller caller;
    ExecutorService racers = Executors.newFixedThreadPool(2);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void startTwoNodesOnOneDatabase() throws Exception {
        url = PostgresTestDatabase.create();
        byte[] masterKey = new byte[32];
        new SecureRandom().nextBytes(masterKey);
        Policy policy = ReloadingPolicy.load(BrokerHarness.SAMPLE_POLICY);
        a = new Node("node A", url, masterKey, policy);
        b = new Node("node B", url, masterKey, policy);
        register(demo);
        String agentToken = new JsonObject(a.login(demo.assertion(ISSUER, T0)).body()).getString("access_token");
        caller = (Caller.AgentCaller) await(b.bearer.fromToken(agentToken));
    }

    @AfterEach
    void stopNodes() {
        racers.shutdownNow();
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void mintRacingEndOnAnotherNodeNeverOutlivesTheEnd() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            TaskId id = open(a, "mint-end-" + round);

            Race<MintedToken, Task> race = race(
                    () -> await(a.tasks.mint(caller, id, new MintRequest(null))),
                    () -> await(b.tasks.end(caller, TaskRef.of(id))));

            assertThat(race.second().value().status()).as("round %d: end", round).isEqualTo(TaskStatus.ENDED);
            if (race.first().succeeded()) {
                String jti = race.first().value().claims().jwtId();
                assertThat(token(jti).revokedAt()).as("round %d: token minted as the task ended", round).isNotNull();
            } else {
                assertThat(race.first().rejection()).as("round %d: mint", round)
                        .extracting(RejectedException::status, RejectedException::type)
                        .containsExactly(409, ProblemType.TASK_NOT_ACTIVE);
            }
        }
        assertThat(count("SELECT count(*) FROM issued_tokens WHERE kind = 'task' AND revoked_at IS NULL"))
                .as("unrevoked task tokens of ended tasks").isZero();
    }

    @Test
    void loginRacingSuspensionOnAnotherNodeLeavesTheAgentNoLiveToken() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            TestAgent racer = TestAgent.generate("racer-" + round);
            register(racer);
            String assertion = racer.assertion(ISSUER, T0);

            Race<HttpResponse<String>, HttpResponse<String>> race = race(
                    () -> a.post("/v1/agents/" + racer.id() + "/suspend", ADMIN_TOKEN),
                    () -> b.login(assertion));

            assertThat(race.first().value().statusCode()).as("round %d: suspension", round).isEqualTo(200);
            HttpResponse<String> login = race.second().value();
            if (login.statusCode() == 200) {
                String agentToken = new JsonObject(login.body()).getString("access_token");
                IssuedToken issued = await(b.store.read(tx -> new TokenRows(tx).byHash(OpaqueTokens.hash(agentToken))))
                        .orElseThrow();
                assertThat(issued.revokedAt()).as("round %d: token of a login that won", round).isNotNull();
            } else {
                assertThat(login.statusCode()).as("round %d: login that lost: %s", round, login.body()).isEqualTo(401);
                assertThat(new JsonObject(login.body()).getString("error")).isEqualTo("invalid_client");
            }
            assertThat(count("SELECT count(*) FROM issued_tokens WHERE agent_id = ? AND revoked_at IS NULL",
                    racer.id())).as("round %d: live tokens of the suspended agent", round).isZero();
        }
    }

    @Test
    void oneAssertionPresentedToBothNodesAtOnceLogsInOnce() throws Exception {
        long tokensBefore = count("SELECT count(*) FROM issued_tokens WHERE agent_id = ?", DEMO.value());
        for (int round = 0; round < ROUNDS; round++) {
            String assertion = demo.assertion(ISSUER, T0);

            Race<HttpResponse<String>, HttpResponse<String>> race = race(() -> a.login(assertion),
                    () -> b.login(assertion));

            List<HttpResponse<String>> answers = List.of(race.first().value(), race.second().value());
            assertThat(answers).as("round %d", round).extracting(HttpResponse::statusCode)
                    .containsExactlyInAnyOrder(200, 401);
            HttpResponse<String> refused = answers.get(0).statusCode() == 401 ? answers.get(0) : answers.get(1);
            assertThat(new JsonObject(refused.body()).getString("error_description"))
                    .as("round %d", round).contains("already used (jti replayed)");
        }
        assertThat(count("SELECT count(*) FROM issued_tokens WHERE agent_id = ?", DEMO.value()) - tokensBefore)
                .as("agent tokens issued").isEqualTo(ROUNDS);
    }

    @Test
    void appendsFromBothNodesAtOnceMakeOneGaplessUnforkedChain() throws Exception {
        long before = await(a.store.read(tx -> new AuditRows(tx).last())).map(AuditRecord::seq).orElse(0L);
        List<Future<AuditRecord>> appended = new ArrayList<>();
        List<Runnable> starts = new ArrayList<>();
        int perContext = AUDIT_APPENDS / (2 * APPENDING_CONTEXTS);
        for (Node node : List.of(a, b)) {
            for (int c = 0; c < APPENDING_CONTEXTS; c++) {
                // A context of its own (from outside Vert.x, each call makes a new one), as
                // concurrent requests on one broker have.
                Context context = node.vertx.getOrCreateContext();
                List<Promise<AuditRecord>> mine = new ArrayList<>();
                for (int i = 0; i < perContext; i++) {
                    Promise<AuditRecord> promise = Promise.promise();
                    mine.add(promise);
                    appended.add(promise.future());
                }
                String source = node.name + " context " + c;
                starts.add(() -> context.runOnContext(v -> {
                    for (int i = 0; i < mine.size(); i++) {
                        node.audit.record(new AuditEvent("test", "test.append", AuditEvent.Decision.ALLOW, null, null,
                                null, "", source + " append " + i)).onComplete(mine.get(i));
                    }
                }));
            }
        }
        starts.forEach(Runnable::run);
        appended.forEach(SharedStoreConcurrencyTest::await);

        List<AuditRecord> all = await(b.store.read(tx -> new AuditRows(tx).query(
                new AuditQuery(null, null, null, 0, AUDIT_APPENDS * 2))));
        assertThat(all).extracting(AuditRecord::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, before + AUDIT_APPENDS).boxed().toList());
        assertThat(all.get(0).prevHash()).isEqualTo(HashChain.GENESIS);
        assertThat(HashChain.firstBreak(all, HashChain.GENESIS)).isEmpty();
        assertThat(all).filteredOn(r -> r.event().action().equals("test.append"))
                .extracting(r -> r.event().reason()).doesNotHaveDuplicates().hasSize(AUDIT_APPENDS);
        JsonObject verified = new JsonObject(a.get("/v1/audit/verify", ADMIN_TOKEN).body());
        assertThat(verified.getBoolean("valid")).isTrue();
        assertThat(verified.getLong("records_checked")).isEqualTo(before + AUDIT_APPENDS);
    }

    @Test
    void sameTaskIdOpenedOnBothNodesAtOnceOpensOneTask() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            OpenTaskRequest request = openRequest("same-" + round);
            TaskId id = new TaskId(request.taskId());

            Race<OpenedTask, OpenedTask> race = race(() -> await(a.tasks.open(caller, request)),
                    () -> await(b.tasks.open(caller, request)));

            assertThat(List.of(race.first(), race.second())).as("round %d: opens that succeeded", round)
                    .filteredOn(Outcome::succeeded).hasSize(1);
            Outcome<OpenedTask> refused = race.first().succeeded() ? race.second() : race.first();
            assertThat(refused.rejection()).as("round %d: the other open", round)
                    .extracting(RejectedException::status, RejectedException::type)
                    .containsExactly(409, ProblemType.TASK_EXISTS);
            List<Task> tasks = await(a.store.read(tx -> new TaskRows(tx).withId(id, 10)));
            assertThat(tasks).as("round %d: tasks", round).hasSize(1);
            assertThat(auditOf(id)).as("round %d", round)
                    .filteredOn(r -> r.event().action().equals("task.open")
                            && r.event().decision() == AuditEvent.Decision.ALLOW)
                    .hasSize(1);
        }
    }

    @Test
    void sameTaskEndedOnBothNodesAtOnceEndsOnceAndRevokesItsTokens() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            TaskId id = open(a, "end-end-" + round);
            String jti = await(a.tasks.mint(caller, id, new MintRequest(null))).claims().jwtId();

            Race<Task, Task> race = race(() -> await(a.tasks.end(caller, TaskRef.of(id))),
                    () -> await(b.tasks.end(caller, TaskRef.of(id))));

            assertThat(List.of(race.first().value(), race.second().value())).as("round %d: both see it ended", round)
                    .extracting(Task::status).containsOnly(TaskStatus.ENDED);
            assertThat(auditOf(id)).as("round %d: endings recorded", round)
                    .filteredOn(r -> r.event().action().equals("task.end")).hasSize(1);
            assertThat(token(jti).revokedAt()).as("round %d: its token", round).isNotNull();
        }
    }

    // the race

    /** What one side of a race got: its value, or what its future failed with. */
    record Outcome<T>(T value, Throwable failure) {

        boolean succeeded() {
            return failure == null;
        }

        @Override
        public T value() {
            if (failure != null) {
                throw new AssertionError("expected a value, got " + failure, failure);
            }
            return value;
        }

        RejectedException rejection() {
            if (!(failure instanceof RejectedException rejected)) {
                throw new AssertionError("expected a rejection, got " + (failure == null ? value : failure), failure);
            }
            return rejected;
        }
    }

    record Race<A, B>(Outcome<A> first, Outcome<B> second) {
    }

    /** Runs both sides on threads of their own that start together; returns when both finished. */
    <A, B> Race<A, B> race(Callable<A> first, Callable<B> second) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        java.util.concurrent.Future<Outcome<A>> one = racers.submit(() -> side(start, first));
        java.util.concurrent.Future<Outcome<B>> other = racers.submit(() -> side(start, second));
        return new Race<>(one.get(30, TimeUnit.SECONDS), other.get(30, TimeUnit.SECONDS));
    }

    private static <T> Outcome<T> side(CyclicBarrier start, Callable<T> work) throws Exception {
        start.await(10, TimeUnit.SECONDS);
        try {
            return new Outcome<>(work.call(), null);
        } catch (CompletionException e) {
            return new Outcome<>(null, e.getCause());
        }
    }

    // scenario steps

    void register(TestAgent agent) {
        Agent registered;
        try {
            registered = new Agent(new AgentId(agent.id()), "alice@example.com", "tests", List.of(new Tier("dev")),
                    JWKSet.parse(agent.publicJwks()), AgentStatus.ACTIVE, T0, T0);
        } catch (ParseException e) {
            throw new AssertionError(e);
        }
        boolean inserted = await(a.store.write(tx -> new AgentRows(tx).insert(registered)));
        assertThat(inserted).isTrue();
    }

    static OpenTaskRequest openRequest(String taskId) {
        return new OpenTaskRequest(taskId, "dev", "racing", List.of("db:orders:read"), 600L);
    }

    TaskId open(Node node, String taskId) {
        return await(node.tasks.open(caller, openRequest(taskId))).task().id();
    }

    IssuedToken token(String jti) {
        return await(b.store.read(tx -> new TokenRows(tx).byJti(jti))).orElseThrow();
    }

    List<AuditRecord> auditOf(TaskId id) {
        return await(b.store.read(tx -> new AuditRows(tx).query(
                new AuditQuery(id.value(), DEMO.value(), null, 0, 100))));
    }

    /** A count straight from the database, past both nodes. */
    long count(String sql, String... args) throws SQLException {
        try (Connection c = PostgresTestDatabase.connect(url); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    /**
     * One broker: its own Vert.x, store, keys and services over the shared database, and an HTTP
     * server with the routes that login, suspension and audit verification live in.
     */
    final class Node implements AutoCloseable {

        final String name;
        final Vertx vertx;
        final Store store;
        final AuditLog audit;
        final BearerAuthenticator bearer;
        final DefaultTaskService tasks;
        final HttpServer server;

        Node(String name, String url, byte[] masterKey, Policy policy) throws Exception {
            this.name = name;
            vertx = Vertx.vertx();
            store = PostgresStore.open(vertx, url, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD, 8);
            audit = new AuditLog(store, new FailureTally(store, FailureTally.DEFAULT_WINDOW,
                    FailureTally.DEFAULT_MAX_KINDS, CLOCK), CLOCK);
            BrokerKeys keys = await(BrokerKeys.load(store, new KeySealer(masterKey), CLOCK, Duration.ofMinutes(10)));
            // Never rotated here, so its token file is never touched.
            AdminCredential admin = new AdminCredential(vertx, store, Path.of("admin.token"),
                    OpaqueTokens.hash(ADMIN_TOKEN), CLOCK);
            bearer = new BearerAuthenticator(store, audit, admin, CLOCK);
            TaskEnder ender = new TaskEnder(List.of());
            tasks = new DefaultTaskService(ISSUER, store, audit, policy, keys, Duration.ofMinutes(5), ender, CLOCK);
            Router router = Router.router(vertx);
            router.route().handler(BodyHandler.create(false));
            new OAuthRoutes(ISSUER, store, audit, keys, bearer, Optional.empty(), Duration.ofMinutes(10),
                    dev.stint.broker.oauth.TokenExchangeGrant.NONE, CLOCK)
                    .mount(router);
            new AgentRoutes(store, policy, bearer.adminGate(), ender::endAllOf, bearer::forgetAgent, CLOCK)
                    .mount(router);
            new AuditRoutes(store, bearer.adminGate()).mount(router);
            router.route().failureHandler(Problems::handle);
            server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
        }

        /** {@code POST /oauth2/token}: a client-credentials login with {@code assertion}. */
        HttpResponse<String> login(String assertion) throws IOException, InterruptedException {
            String form = "grant_type=client_credentials"
                    + "&client_assertion_type=" + URLEncoder.encode(ASSERTION_TYPE, StandardCharsets.UTF_8)
                    + "&client_assertion=" + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
            return send(request("/oauth2/token", null).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
        }

        HttpResponse<String> post(String path, String bearer) throws IOException, InterruptedException {
            return send(request(path, bearer).POST(HttpRequest.BodyPublishers.noBody()));
        }

        HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
            return send(request(path, bearer).GET());
        }

        private HttpRequest.Builder request(String path, String bearer) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.actualPort() + path)).timeout(Duration.ofSeconds(20));
            return bearer == null ? builder : builder.header("Authorization", "Bearer " + bearer);
        }

        private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() {
            store.close();
            await(vertx.close());
        }
    }
}
