package dev.stint.broker;

import dev.stint.broker.agents.AgentRoutes;
import dev.stint.broker.auth.BearerAuthenticator;
import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.AuditRoutes;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.broker.keys.KeyRoutes;
import dev.stint.broker.keys.MasterKey;
import dev.stint.broker.oauth.OAuthRoutes;
import dev.stint.broker.tokens.RevocationRoutes;
import dev.stint.broker.policy.ReloadingPolicy;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.Store;
import dev.stint.broker.tasks.DefaultTaskService;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tasks.TaskExpiry;
import dev.stint.broker.auth.AdminRows;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.HeadChecks;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.Methods;
import dev.stint.broker.http.Problems;
import dev.stint.broker.tasks.TaskRoutes;
import dev.stint.token.ClaimChecks;
import dev.stint.token.keys.KeySealer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.DeploymentOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker. {@link #start()} completes only when the policy is valid, the store is open and
 * migrated, the keys are loaded and the port really listens; any failure undoes what was opened.
 */
public final class BrokerVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerVerticle.class);
    static final long EXPIRY_SWEEP_MS = 1_000;
    static final long POLICY_POLL_MS = 2_000;
    static final long KEY_PRUNE_MS = 10_000;
    /** One HTTP server per core: signing is CPU work, and one event loop would cap it at one core. */
    static final int HTTP_INSTANCES = Math.max(1, Runtime.getRuntime().availableProcessors());

    private final BrokerOptions options;
    private final Clock clock;
    private final ConnectionGuard.Cap connections;
    private ReloadingPolicy policy;
    private Store store;
    private BrokerKeys keys;
    private HttpServerVerticle first;
    private AuditLog audit;
    private BearerAuthenticator bearer;
    private DefaultTaskService tasks;
    private TaskEnder ender;
    private int listenPort;
    private volatile String issuer;
    private String adminHash;

    public BrokerVerticle(BrokerOptions options, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.connections = new ConnectionGuard.Cap(options.http().maxConnections());
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(this::openStoreAndPolicy, false)
                .compose(v -> bootstrapAdmin())
                .compose(hash -> {
                    adminHash = hash;
                    return BrokerKeys.load(store, new KeySealer(masterKey()), clock, keyRetention());
                })
                .compose(loaded -> {
                    keys = loaded;
                    first = new HttpServerVerticle(options.host(), listenPort, options.http(), connections,
                            this::routerWhenReady);
                    return vertx.deployVerticle(first);
                })
                .compose(deployed -> {
                    int port = first.actualPort();
                    String chosen = options.issuer() != null ? stripSlash(options.issuer())
                            : "http://" + hostForUrl(options.host()) + ":" + port;
                    // Services are shared by every HTTP instance, so their caches are too.
                    audit = new AuditLog(store, clock);
                    bearer = new BearerAuthenticator(store, audit, adminHash, clock);
                    ender = new TaskEnder(List.of());
                    tasks = new DefaultTaskService(chosen, store, audit, policy, keys, options.taskTokenTtl(), ender,
                            clock);
                    issuer = chosen;
                    int more = HTTP_INSTANCES - 1;
                    // Instances listening on the same host and port share one socket in Vert.x.
                    List<HttpServerVerticle> others = new CopyOnWriteArrayList<>();
                    return more == 0 ? Future.succeededFuture() : vertx.deployVerticle(() -> {
                        HttpServerVerticle other = new HttpServerVerticle(options.host(), port, options.http(),
                                connections, this::routerWhenReady);
                        others.add(other);
                        return other;
                    }, new DeploymentOptions().setInstances(more)).compose(id ->
                            others.stream().allMatch(other -> other.actualPort() == port)
                                    ? Future.succeededFuture()
                                    : Future.failedFuture(new IllegalStateException(
                                            "the HTTP server instances did not share port " + port)));
                })
                .onSuccess(deployed -> {
                    startTimers();
                    LOG.info("Stint broker listening on {}:{} with {} event loop(s) (issuer {})", options.host(),
                            first.actualPort(), HTTP_INSTANCES, issuer);
                })
                .onFailure(failure -> closeQuietly());
    }

    /** The HTTP servers are child deployments: Vert.x stops them before this. */
    @Override
    public Future<?> stop() {
        closeQuietly();
        return Future.succeededFuture();
    }

    /** The port the broker listens on (useful when asked for port 0). */
    public int actualPort() {
        return first.actualPort();
    }

    public String issuer() {
        return issuer;
    }

    private Void openStoreAndPolicy() throws Exception {
        // Port 0 means "any free port": choose it once, so that every HTTP instance shares it.
        listenPort = options.port() != 0 ? options.port() : freePort(options.host());
        policy = ReloadingPolicy.load(options.policyFile());
        DataDirectory.prepare(options.dataDir());
        store = EmbeddedStore.open(vertx, options.dataDir());
        return null;
    }

    private byte[] masterKey() {
        try {
            return MasterKey.loadOrCreate(options.effectiveMasterKeyFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the master key: " + e.getMessage(), e);
        }
    }

    /** Signing keys stay verifiable this long after rotation: the longest task token life plus leeway. */
    private Duration keyRetention() {
        return options.taskTokenTtl().plus(ClaimChecks.MAX_LEEWAY);
    }

    /** On first start, creates the admin credential: its hash in the store, the secret in a 0600 file. */
    private Future<String> bootstrapAdmin() {
        Path file = options.adminTokenFile();
        return store.read(tx -> new AdminRows(tx).currentHash()).compose(existing -> {
            if (existing.isPresent()) {
                if (!Files.exists(file)) {
                    LOG.warn("an admin credential exists but {} is missing", file);
                }
                return Future.succeededFuture(existing.get());
            }
            String token = OpaqueTokens.generate(OpaqueTokens.ADMIN_PREFIX);
            return vertx.executeBlocking(() -> {
                Files.deleteIfExists(file);
                MasterKey.writeSecret(file, token + "\n");
                return null;
            }, false).compose(v -> store.write(tx -> {
                new AdminRows(tx).insert(OpaqueTokens.hash(token), clock.instant());
                new AuditRows(tx).append(new AuditEvent("system", "admin.bootstrap", AuditEvent.Decision.ALLOW, null, null, null,
                        "", "bootstrap admin credential created; secret written to the data directory"),
                        clock.instant());
                return null;
            })).onSuccess(v -> {
                LOG.info("Bootstrap admin credential written to {} (mode 0600)", file.toAbsolutePath());
            }).map(v -> OpaqueTokens.hash(token));
        });
    }

    /** A router over the shared parts, or {@code null} until the issuer is known. */
    private Router routerWhenReady() {
        return issuer == null ? null : router();
    }

    private Router router() {
        Router r = Router.router(vertx);
        r.route().handler(BrokerVerticle::securityHeaders);
        r.route().handler(HeadChecks::handle);
        r.route().handler(BodyHandler.create(false).setBodyLimit(BrokerOptions.MAX_BODY_BYTES));
        new OAuthRoutes(issuer, store, audit, keys, bearer, options.agentTokenTtl(), clock).mount(r);
        new AgentRoutes(store, policy, bearer.adminGate(), ender::endAllOf, bearer::forgetAgent, clock).mount(r);
        new TaskRoutes(tasks, bearer, clock).mount(r);
        new AuditRoutes(store, bearer.adminGate()).mount(r);
        new KeyRoutes(keys, bearer.adminGate()).mount(r);
        new RevocationRoutes(store, clock).mount(r);
        r.get("/health").handler(this::health);
        Methods.apply(r);
        r.route().failureHandler(Problems::handle);
        r.errorHandler(400, Problems::badRequest);
        r.errorHandler(404, Problems::handle);
        r.errorHandler(405, Problems::handle);
        return r;
    }

    private static void securityHeaders(RoutingContext ctx) {
        ctx.response()
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Cache-Control", "no-store");
        ctx.next();
    }

    /** Public, so it names states, not internals: causes go to the log. */
    private void health(RoutingContext ctx) {
        store.read(tx -> new AuditRows(tx).last()).onComplete(result -> {
            Map<String, Object> body = new LinkedHashMap<>();
            boolean storeOk = result.succeeded() && store.acceptsWrites();
            boolean policyOk = policy.lastError().isEmpty();
            body.put("status", !storeOk ? "unavailable" : policyOk ? "ok" : "degraded");
            body.put("store", storeOk ? "ok" : "unavailable");
            body.put("policy", policyOk ? "ok"
                    : "a new policy file was rejected; the previous policy is in force (see the broker log)");
            body.put("signing_key", keys.keySet().active().kid());
            if (result.succeeded()) {
                body.put("audit_head_seq", result.result().map(r -> r.seq()).orElse(0L));
            }
            ctx.response().setStatusCode(storeOk ? 200 : 503)
                    .putHeader("Content-Type", "application/json")
                    .end(Json.write(body));
        });
    }

    private void startTimers() {
        TaskExpiry expiry = new TaskExpiry(store, ender, clock);
        vertx.setPeriodic(EXPIRY_SWEEP_MS, id -> expiry.sweep()
                .onFailure(e -> LOG.warn("expiry sweep failed, will retry: {}", e.getMessage())));
        vertx.setPeriodic(POLICY_POLL_MS, id -> vertx.executeBlocking(() -> policy.reloadIfChanged(), false));
        vertx.setPeriodic(KEY_PRUNE_MS, id -> keys.prune());
    }

    private void closeQuietly() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
