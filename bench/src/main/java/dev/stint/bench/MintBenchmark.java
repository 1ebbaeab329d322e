package dev.stint.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.stint.broker.auth.Caller;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.TokenKind;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.FailureTally;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.broker.keys.MasterKey;
import dev.stint.broker.policy.ReloadingPolicy;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.tasks.DefaultTaskService;
import dev.stint.broker.tasks.MintRequest;
import dev.stint.broker.tasks.MintedToken;
import dev.stint.broker.tasks.OpenTaskRequest;
import dev.stint.broker.tasks.Task;
import dev.stint.token.AgentId;
import dev.stint.token.ClaimChecks;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import dev.stint.token.keys.KeySealer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-process cost of one full task-token mint through the broker's real
 * {@link DefaultTaskService#mint}: task read from the embedded SQLite store (worker pool), policy
 * re-check, ES256 signing, then the token record and its audit record written through the group-
 * commit writer with a synced commit, completed back on a Vert.x context. No HTTP, no bearer
 * authentication, no JSON.
 *
 * <p>Each benchmark thread blocks until its mint is durable, so {@code -t N} means N mints in
 * flight: {@code -t 1} is the latency-bound rate, {@code -t 2}/{@code -t 32} show how far group
 * commit and the event loops scale.
 *
 * <p>The policy is the sample {@code config/policy.yaml}: {@code $STINT_POLICY} if set, else the
 * first {@code config/policy.yaml} found from the working directory upwards, else the copy
 * bundled in the jar at build time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// sqlite-jdbc loads its native library: allow it without JDK 22+'s "restricted method" warning.
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class MintBenchmark {

    static final String ISSUER = "http://127.0.0.1:8400";
    static final Duration TASK_TOKEN_TTL = Duration.ofMinutes(5);

    private Path dir;
    private Vertx vertx;
    private EmbeddedStore store;
    private DefaultTaskService service;
    private Caller.AgentCaller caller;
    private TaskId taskId;
    private final MintRequest request = new MintRequest(null);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Clock clock = Clock.systemUTC();
        dir = Files.createTempDirectory("stint-bench-mint-");
        vertx = Vertx.vertx();
        store = EmbeddedStore.open(vertx, dir.resolve("data"));
        ReloadingPolicy policy = ReloadingPolicy.load(samplePolicy(dir));
        BrokerKeys keys = join(BrokerKeys.load(store, new KeySealer(MasterKey.loadOrCreate(dir.resolve("master.key"))),
                clock, TASK_TOKEN_TTL.plus(ClaimChecks.MAX_LEEWAY)));

        Instant now = clock.instant();
        ECKey agentKey = new ECKeyGenerator(Curve.P_256).keyID("bench-1").keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.ES256).generate();
        Agent agent = new Agent(new AgentId("demo-agent"), "team-orders@example.com", "benchmark agent",
                List.of(new Tier("dev")), new JWKSet(agentKey.toPublicJWK()), AgentStatus.ACTIVE, now, now);
        boolean inserted = join(store.write(tx -> new AgentRows(tx).insert(agent)));
        if (!inserted) {
            throw new IllegalStateException("demo-agent already exists in a fresh store");
        }
        // The agent's login, as /oauth2/token records it: every mint re-checks it under the writer.
        join(store.write(tx -> {
            new TokenRows(tx).insert(new IssuedToken("bench-agent-token", TokenKind.AGENT, "00".repeat(32), agent.id(), null,
                    null, null, ISSUER, now, now.plus(Duration.ofHours(8)), null, null));
            return null;
        }));
        caller = new Caller.AgentCaller(agent, "bench-agent-token");

        service = new DefaultTaskService(ISSUER, store, new AuditLog(store,
                new FailureTally(store, FailureTally.DEFAULT_WINDOW, FailureTally.DEFAULT_MAX_KINDS, clock), clock), policy, keys, TASK_TOKEN_TTL,
                new TaskEnder(List.of()), clock);
        Task task = join(service.open(caller,
                new OpenTaskRequest(null, "dev", "bench", List.of("db:orders:read"), 28_800L))).task();
        taskId = task.id();
        join(service.mint(caller, taskId, request)); // fail in set-up, not as a measured exception
    }

    @Benchmark
    public MintedToken mint() {
        return join(service.mint(caller, taskId, request));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (store != null) {
            store.close();
        }
        if (vertx != null) {
            join(vertx.close());
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Blocks a non-Vert.x thread on a Vert.x 5 future ({@code await()} is for virtual threads). */
    static <T> T join(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    static Path samplePolicy(Path scratch) {
        String fromEnv = System.getenv("STINT_POLICY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("config").resolve("policy.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        try (InputStream bundled = MintBenchmark.class.getResourceAsStream("policy.yaml")) {
            if (bundled == null) {
                throw new IllegalStateException("no sample policy: set STINT_POLICY to config/policy.yaml");
            }
            Path copy = scratch.resolve("policy.yaml");
            Files.copy(bundled, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
