package dev.stint.broker;

import dev.stint.broker.agents.AgentRoutes;
import dev.stint.broker.auth.AdminCredential;
import dev.stint.broker.auth.AdminRoutes;
import dev.stint.broker.auth.BearerAuthenticator;
import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.FailureTally;
import dev.stint.broker.audit.AuditRoutes;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.broker.keys.KeyRoutes;
import dev.stint.broker.keys.MasterKey;
import dev.stint.broker.oauth.OAuthRoutes;
import dev.stint.broker.tokens.RevocationRoutes;
import dev.stint.broker.policy.ReloadingPolicy;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.PostgresStore;
import dev.stint.broker.deployment.PostgresSettings;
import dev.stint.broker.keys.KeyRows;
import dev.stint.broker.store.Store;
import dev.stint.broker.tasks.DefaultTaskService;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tasks.FreezeSweep;
import dev.stint.broker.tasks.TaskExpiry;
import dev.stint.broker.credentials.ConnectionStatus;
import dev.stint.broker.credentials.CredentialBackends;
import dev.stint.broker.credentials.CredentialRoutes;
import dev.stint.broker.credentials.DatabaseCredentials;
import dev.stint.broker.credentials.PolicyRoles;
import dev.stint.broker.credentials.LeaseEndReport;
import dev.stint.broker.credentials.LeaseRevoker;
import dev.stint.broker.credentials.RevocationBackoff;
import dev.stint.broker.credentials.TaskLeases;
import dev.stint.broker.auth.AdminRows;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.HeadChecks;
import dev.stint.broker.people.PasskeyCeremonies;
import dev.stint.broker.people.PasskeyVerifier;
import dev.stint.broker.people.PeopleRoutes;
import dev.stint.broker.people.RelyingParty;
import dev.stint.broker.ui.SessionRows;
import dev.stint.broker.ui.UiRoutes;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.Methods;
import dev.stint.broker.http.Problems;
import dev.stint.broker.tasks.TaskRoutes;
import dev.stint.broker.tasks.TaskWatch;
import dev.stint.token.ClaimChecks;
import dev.stint.token.keys.JcaProviders;
import dev.stint.token.keys.KeySealer;
import dev.stint.broker.approvals.ApprovalDecisions;
import dev.stint.broker.approvals.ApprovalExpiry;
import dev.stint.broker.approvals.ApprovalRequester;
import dev.stint.broker.approvals.ApprovalRoutes;
import dev.stint.broker.approvals.ApprovalWithdrawal;
import dev.stint.broker.approvals.ApproverDisabled;
import dev.stint.broker.federation.CiIssuers;
import dev.stint.broker.federation.FederatedExchange;
import dev.stint.broker.federation.SubjectTokenRows;
import dev.stint.broker.notify.WebhookHealth;
import dev.stint.broker.notify.WebhookSweep;
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
import java.security.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker. {@link #start()} completes only when the policy is valid, the port really listens,
 * the data directory is locked, the store is open and migrated and the keys are loaded; any
 * failure undoes what was opened. The port is bound before anything is written, so a busy port
 * leaves no data directory behind; until start-up completes the port answers 503.
 */
public final class BrokerVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerVerticle.class);
    static final long POLICY_POLL_MS = 2_000;
    static final long KEY_PRUNE_MS = 10_000;
    /** How often a broker sharing its store re-reads what others may have rotated (keys, admin credential). */
    static final long SHARED_REFRESH_MS = 1_000;
    /** How often the tally of unauthenticated failures checks whether its window (on the clock) is over. */
    static final long REFUSAL_TALLY_TICK_MS = 1_000;
    /** One HTTP server per core: signing is CPU work, and one event loop would cap it at one core. */
    static final int HTTP_INSTANCES = Math.max(1, Runtime.getRuntime().availableProcessors());

    private final BrokerOptions options;
    private final Clock clock;
    private final Optional<Provider> ecdsaProvider;
    private final ConnectionGuard.Cap connections;
    private ReloadingPolicy policy;
    private Store store;
    private BrokerKeys keys;
    private HttpServerVerticle first;
    private FailureTally refusals;
    private AuditLog audit;
    private BearerAuthenticator bearer;
    private DefaultTaskService tasks;
    private TaskWatch taskWatch;
    private TaskEnder ender;
    private LeaseRevoker revoker;
    private CredentialBackends credentialBackends;
    private final ConnectionStatus connectionStatus = new ConnectionStatus();
    private DatabaseCredentials credentials;
    private CiIssuers ciIssuers;
    private Sweeps sweeps;
    private WebhookSweep webhooks;
    private int listenPort;
    private volatile String issuer;
    private AdminCredential admin;
    private DataDirectoryLock dataLock;

    public BrokerVerticle(BrokerOptions options, Clock clock) {
        this(options, clock, Optional.ofNullable(JcaProviders.ecdsa()));
    }

    /** @param ecdsaProvider checks ECDSA client-assertion signatures; empty for the JDK's default */
    BrokerVerticle(BrokerOptions options, Clock clock, Optional<Provider> ecdsaProvider) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ecdsaProvider = Objects.requireNonNull(ecdsaProvider, "ecdsaProvider");
        this.connections = new ConnectionGuard.Cap(options.http().maxConnections());
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(this::choosePortAndLoadPolicy, false)
                .compose(v -> listen())
                .compose(v -> vertx.executeBlocking(this::lockAndOpenStore, false))
                .compose(v -> bootstrapAdmin())
                .compose(credential -> {
                    admin = credential;
                    // File I/O and the JCA provider's first (slow) initialisation stay off the event loop.
                    return vertx.executeBlocking(() -> {
                        JcaProviders.ecdsa();
                        return new KeySealer(masterKey());
                    }, false);
                })
                .compose(sealer -> BrokerKeys.load(store, sealer, clock, keyRetention()))
                .compose(loaded -> {
                    keys = loaded;
                    int port = first.actualPort();
                    String chosen = options.issuer() != null ? stripSlash(options.issuer())
                            : "http://" + hostForUrl(options.host()) + ":" + port;
                    // Services are shared by every HTTP instance, so their caches are too.
                    refusals = new FailureTally(store, FailureTally.DEFAULT_WINDOW, FailureTally.DEFAULT_MAX_KINDS,
                            clock);
                    audit = new AuditLog(store, refusals, clock);
                    bearer = new BearerAuthenticator(store, audit, admin, clock);
                    ender = new TaskEnder(List.of(new TaskLeases(), new ApprovalWithdrawal()));
                    tasks = new DefaultTaskService(chosen, store, audit, policy, keys, options.taskTokenTtl(), ender,
                            Optional.of(new ApprovalRequester(policy)), clock);
                    taskWatch = new TaskWatch(vertx, TaskWatch.DEFAULT_MAX_HELD,
                            TaskWatch.longestHoldWithin(options.http().idleTimeout()), TaskWatch.DEFAULT_RECHECK, clock);
                    // This broker or another sharing the store changed something this one may hold in memory.
                    store.changes().subscribe(change -> {
                        bearer.onChange(change);
                        tasks.onChange(change);
                        taskWatch.onChange(change);
                        if (change.isEverything() || KeyRows.CHANGES.equals(change.topic())) {
                            keys.refresh();
                        }
                        if (change.isEverything() || AdminRows.CHANGES.equals(change.topic())) {
                            admin.refresh();
                        }
                    });
                    // Leases of a connection this broker does not know stay failed, loudly, until it does.
                    credentialBackends = CredentialBackends.from(options.deployment().backends(), chosen, clock);
                    revoker = new LeaseRevoker(vertx, store, credentialBackends::byName, RevocationBackoff.standard(),
                            connectionStatus, clock);
                    credentials = new DatabaseCredentials(vertx, store, tasks, audit, new PolicyRoles(policy),
                            credentialBackends::byName, connectionStatus, clock);
                    ciIssuers = new CiIssuers(vertx, options.deployment().federation(), clock);
                    webhooks = new WebhookSweep(vertx, store, options.deployment().notifications(),
                            RelyingParty.forIssuer(chosen).origin(), clock);
                    sweeps = new Sweeps(vertx, store, new TaskExpiry(store, ender, clock,
                            (tx, now) -> new SubjectTokenRows(tx).purgeExpired(now)),
                            new FreezeSweep(store, ender, policy, clock), new ApprovalExpiry(store, ender, clock),
                            revoker, credentialBackends, webhooks, clock);
                    return sweeps.beforeServing().map(chosen);
                })
                .compose(chosen -> {
                    int port = first.actualPort();
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

    /**
     * The HTTP servers are child deployments: Vert.x stops them before this. The tally of
     * unauthenticated failures is written before the store closes.
     */
    @Override
    public Future<?> stop() {
        Future<Integer> flushed = refusals == null ? Future.succeededFuture(0) : refusals.flush();
        return flushed.transform(result -> {
            if (result.failed()) {
                LOG.warn("the last counts of unauthenticated failures could not be recorded: {}",
                        result.cause().getMessage());
            }
            closeQuietly();
            return Future.succeededFuture();
        });
    }

    /** The port the broker listens on (useful when asked for port 0). */
    public int actualPort() {
        return first.actualPort();
    }

    public String issuer() {
        return issuer;
    }

    /** The tally of unauthenticated failures (counted live, recorded as summaries). */
    FailureTally refusals() {
        return refusals;
    }

    private Void choosePortAndLoadPolicy() throws Exception {
        // Port 0 means "any free port": choose it once, so that every HTTP instance shares it.
        listenPort = options.port() != 0 ? options.port() : freePort(options.host());
        policy = ReloadingPolicy.load(options.policyFile(), options.deployment().backends().catalog());
        return null;
    }

    /**
     * Binds the port before the data directory is created or anything written; requests get 503
     * until start-up completes.
     */
    private Future<String> listen() {
        String address = hostForUrl(options.host()) + ":" + listenPort;
        first = new HttpServerVerticle(options.host(), listenPort, options.http(), connections, this::routerWhenReady);
        return vertx.deployVerticle(first).recover(failure -> Future.failedFuture(
                new IllegalStateException("cannot listen on " + address + ": " + failure.getMessage(), failure)));
    }

    /** One broker per data directory: lock it (naming this process) before opening the store. */
    private Void lockAndOpenStore() throws Exception {
        DataDirectory.prepare(options.dataDir());
        dataLock = DataDirectoryLock.acquire(options.dataDir(), clock.instant());
        Optional<PostgresSettings> shared = options.deployment().postgres();
        store = shared.isPresent()
                ? PostgresStore.open(vertx, shared.get().jdbcUrl(), shared.get().jdbcProperties(),
                        shared.get().poolSize())
                : EmbeddedStore.open(vertx, options.dataDir());
        return null;
    }

    private byte[] masterKey() {
        Path file = options.effectiveMasterKeyFile();
        if (DataDirectory.contains(options.dataDir(), file)) {
            LOG.warn("the master key {} lies inside the data directory {}: a copy of the data directory can unseal"
                    + " the signing keys and forge task tokens. Keep it elsewhere: stop the broker, move the file"
                    + " (e.g. to a secrets mount) and start with --master-key-file NEW-PATH", file, options.dataDir());
        }
        try {
            return MasterKey.loadOrCreate(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the master key: " + e.getMessage(), e);
        }
    }

    /** Signing keys stay verifiable this long after rotation: the longest task token life plus leeway. */
    private Duration keyRetention() {
        return options.taskTokenTtl().plus(ClaimChecks.MAX_LEEWAY);
    }

    /**
     * Loads the admin credential in force. On first start, creates it: its hash in the store, the
     * secret in a 0600 file in the data directory (until the credential is rotated).
     */
    private Future<AdminCredential> bootstrapAdmin() {
        return store.read(tx -> new AdminRows(tx).current()).compose(existing -> existing.isPresent()
                ? Future.succeededFuture(existingAdmin(existing.get()))
                : createAdmin());
    }

    private AdminCredential existingAdmin(AdminRows.Current current) {
        Path file = options.adminTokenFile();
        if (!current.rotated() && !Files.exists(file)) {
            if (sharedStore()) {
                LOG.info("the admin credential was created by another broker sharing the store (in its data directory)");
            } else {
                LOG.warn("an admin credential exists but {} is missing", file);
            }
        } else if (current.rotated() && Files.exists(file)) {
            LOG.warn("{} holds no valid credential: the admin credential was rotated at {}; delete the file",
                    file, current.since());
        }
        return adminCredential(current.hash());
    }

    /**
     * The secret is on disk before its hash is stored, so a stored credential always has its
     * secret somewhere. Brokers starting together on one shared store: one creates, the others
     * find it and remove the secret they wrote, which would not authenticate.
     */
    private Future<AdminCredential> createAdmin() {
        Path file = options.adminTokenFile();
        String token = OpaqueTokens.generate(OpaqueTokens.ADMIN_PREFIX);
        return vertx.executeBlocking(() -> {
            Files.deleteIfExists(file);
            MasterKey.writeSecret(file, token + "\n");
            return null;
        }, false).compose(v -> store.write(tx -> {
            tx.exclusive("admin-bootstrap");
            AdminRows rows = new AdminRows(tx);
            Optional<AdminRows.Current> first = rows.current();
            if (first.isPresent()) {
                return first;
            }
            rows.insertBootstrap(OpaqueTokens.hash(token), clock.instant());
            new AuditRows(tx).append(new AuditEvent("system", "admin.bootstrap", AuditEvent.Decision.ALLOW, null,
                    null, null, "", "bootstrap admin credential created; secret written to the data directory"),
                    clock.instant());
            return Optional.<AdminRows.Current>empty();
        })).compose(first -> {
            if (first.isPresent()) {
                return vertx.executeBlocking(() -> Files.deleteIfExists(file), false)
                        .map(deleted -> existingAdmin(first.get()));
            }
            LOG.info("Bootstrap admin credential written to {} (mode 0600); once you have stored it elsewhere,"
                    + " rotate it with POST /v1/admin/rotate, which deletes the file", file.toAbsolutePath());
            return Future.succeededFuture(adminCredential(OpaqueTokens.hash(token)));
        });
    }

    private boolean sharedStore() {
        return store instanceof PostgresStore;
    }

    private AdminCredential adminCredential(String hash) {
        return new AdminCredential(vertx, store, options.adminTokenFile(), hash, clock);
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
        new OAuthRoutes(issuer, store, audit, keys, bearer, ecdsaProvider, options.agentTokenTtl(),
                new FederatedExchange(issuer, store, audit, policy, ciIssuers, options.deployment().federation(),
                        options.agentTokenTtl(), clock), clock).mount(r);
        new AgentRoutes(store, policy, bearer.adminGate(), ender::endAllOf, bearer::forgetAgent, clock).mount(r);
        new TaskRoutes(tasks, bearer, clock, new LeaseEndReport(revoker), taskWatch).mount(r);
        new CredentialRoutes(store, tasks, credentials, bearer, bearer.adminGate()).mount(r);
        new AuditRoutes(store, bearer.adminGate()).mount(r);
        new KeyRoutes(keys, bearer.adminGate()).mount(r);
        new AdminRoutes(admin, bearer.adminGate()).mount(r);
        RelyingParty pages = RelyingParty.forIssuer(issuer);
        new PeopleRoutes(store, bearer.adminGate(), pages, SessionRows::endAllOf, new ApproverDisabled(ender), clock)
                .mount(r);
        UiRoutes ui = new UiRoutes(store, pages, new PasskeyCeremonies(store, audit, new PasskeyVerifier(pages),
                clock), clock);
        options.deployment().oidcSignIn().ifPresent(oidc -> ui.withSingleSignOn(vertx, oidc, audit,
                java.time.Duration.ofSeconds(5)));
        ui.mount(r);
        new ApprovalRoutes(store, bearer.adminGate(), ui.people(), new ApprovalDecisions(store, audit,
                new PasskeyVerifier(pages), ender, policy, clock), clock).mount(r);
        new RevocationRoutes(store, clock).mount(r);
        r.get("/health").handler(new Health(vertx, store, policy, keys, refusals,
                new BackendHealth(options.deployment().backends().catalog(), connectionStatus, clock),
                new WebhookHealth(store, options.deployment().notifications()))::handle);
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

    private void startTimers() {
        sweeps.start();
        vertx.setPeriodic(POLICY_POLL_MS, id -> vertx.executeBlocking(() -> policy.reloadIfChanged(), false));
        vertx.setPeriodic(KEY_PRUNE_MS, id -> keys.prune());
        if (sharedStore()) {
            // The fallback when an announcement of another broker is lost: read keys and admin credential again.
            java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
            vertx.setPeriodic(SHARED_REFRESH_MS, id -> keys.refresh()
                    .compose(v -> admin.refresh())
                    .onComplete(result -> {
                        // Once when it starts failing and once when it recovers, not every second.
                        if (result.failed() && failing.compareAndSet(false, true)) {
                            LOG.warn("cannot re-read keys and admin credential from the store; retrying every"
                                    + " second: {}", result.cause().getMessage());
                        } else if (result.succeeded() && failing.compareAndSet(true, false)) {
                            LOG.info("keys and admin credential re-read from the store again");
                        }
                    }));
        }
        vertx.setPeriodic(REFUSAL_TALLY_TICK_MS, id -> refusals.flushIfDue()
                .onFailure(e -> LOG.warn("counts of unauthenticated failures not recorded yet, will retry: {}",
                        e.getMessage())));
    }

    private void closeQuietly() {
        if (webhooks != null) {
            webhooks.close();
            webhooks = null;
        }
        if (credentialBackends != null) {
            credentialBackends.close();
            credentialBackends = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
        if (dataLock != null) {
            dataLock.close();
            dataLock = null;
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
