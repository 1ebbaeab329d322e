package dev.stint.bench;

import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.token.AgentId;
import dev.stint.token.KeyUnavailableException;
import dev.stint.token.Scope;
import dev.stint.token.SignedTaskTokenMinter;
import dev.stint.token.TaskClaims;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import dev.stint.token.keys.JcaProviders;
import dev.stint.token.keys.SigningKey;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * The ceiling of the mint path: a bare Vert.x 5 server that answers
 * {@code POST /v1/tasks/{id}/token} with one freshly signed ES256 task token per request, and
 * does nothing else. No authentication, no store, no audit, no policy, no router.
 *
 * <p>What it shares with the broker, so that the difference between the two is the broker's own
 * work: one HTTP server verticle per core on one shared port (as {@code BrokerVerticle} deploys
 * them), the same claims ({@link TaskClaims}: iss, sub, aud, iat, nbf, exp, random jti, task_id,
 * tier, scope, deadline, owner), the same signer ({@link SignedTaskTokenMinter}: ES256 through
 * Nimbus, header {@code typ: stint+jwt} and {@code kid}, the JCA provider {@link JcaProviders}
 * picks), and an answer of the same fields and headers as the broker's.
 *
 * <pre>
 *   java -cp bench/target/stint-bench.jar dev.stint.bench.BareMintServer --port N [--host H] [--instances K]
 * </pre>
 *
 * {@code --port 0} picks a free port. Prints {@code BARE_MINT_LISTENING port=N instances=K} once
 * every instance listens; {@code GET /health} answers 200. Stops on SIGTERM.
 */
public final class BareMintServer {

    static final String OWNER = "team-orders@example.com";
    static final AgentId AGENT = new AgentId("demo-agent");
    static final Tier TIER = new Tier("dev");
    static final String AUDIENCE = "urn:stint:tier:dev";
    static final List<Scope> SCOPES = List.of(Scope.parse("db:orders:read"));
    static final Duration TOKEN_TTL = Duration.ofMinutes(5);
    static final String PREFIX = "/v1/tasks/";
    static final String SUFFIX = "/token";

    private BareMintServer() {
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = -1;
        int instances = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(Objects.requireNonNull(value, "--port needs a value"));
                case "--host" -> host = Objects.requireNonNull(value, "--host needs a value");
                case "--instances" -> instances = Integer.parseInt(Objects.requireNonNull(value, "--instances needs a value"));
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (port < 0 || port > 65_535 || instances < 1) {
            usage("--port N is required (0 = any free port); --instances must be at least 1");
        }
        if (port == 0) {
            // Chosen once, so that every instance binds (and shares) the same port.
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
                port = socket.getLocalPort();
            }
        }

        Clock clock = Clock.systemUTC();
        Instant opened = clock.instant();
        // One task, opened at start for 8 hours, as run-http.sh opens one for the broker.
        Shared shared = new Shared(new SignedTaskTokenMinter(SigningKey.generate(opened)),
                "http://" + host + ":" + port, TaskDeadline.after(opened, Duration.ofHours(8)), clock);

        Vertx vertx = Vertx.vertx();
        String bindHost = host;
        int bindPort = port;
        try {
            vertx.deployVerticle(() -> new HttpVerticle(bindHost, bindPort, shared),
                            new DeploymentOptions().setInstances(instances))
                    .toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException e) {
            System.err.println("BareMintServer did not start: " + (e.getCause() != null ? e.getCause() : e));
            vertx.close();
            System.exit(1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            stopped.countDown();
        }, "bare-mint-shutdown"));
        System.out.println("BARE_MINT_LISTENING port=" + port + " instances=" + instances
                + " jca=" + (JcaProviders.ecdsa() == null ? "jdk-default" : JcaProviders.ecdsa().getName()));
        System.out.flush();
        stopped.await();
    }

    private static void usage(String problem) {
        System.err.println("BareMintServer: " + problem);
        System.err.println("usage: BareMintServer --port N [--host 127.0.0.1] [--instances <cores>]");
        System.exit(2);
    }

    /** What every instance shares: the signer (one per broker too) and the task's fixed facts. */
    record Shared(SignedTaskTokenMinter minter, String issuer, TaskDeadline deadline, Clock clock) {
    }

    /** One HTTP server on one event loop; instances on the same port share its socket. */
    static final class HttpVerticle extends VerticleBase {

        private final String host;
        private final int port;
        private final Shared shared;

        HttpVerticle(String host, int port, Shared shared) {
            this.host = host;
            this.port = port;
            this.shared = shared;
        }

        @Override
        public Future<?> start() {
            // The broker's server options, less what only concerns other routes.
            return vertx.createHttpServer(new HttpServerOptions()
                            .setMaxInitialLineLength(8192)
                            .setMaxHeaderSize(16 * 1024)
                            .setCompressionSupported(false))
                    .requestHandler(this::handle)
                    .listen(port, host);
        }

        private void handle(HttpServerRequest request) {
            String path = request.path();
            if (request.method() == HttpMethod.POST && path.startsWith(PREFIX) && path.endsWith(SUFFIX)
                    && path.length() > PREFIX.length() + SUFFIX.length()) {
                // The broker reads the (empty) body before it answers; so does this.
                request.end().onSuccess(v -> mint(request, path.substring(PREFIX.length(),
                        path.length() - SUFFIX.length())));
            } else if (request.method() == HttpMethod.GET && path.equals("/health")) {
                request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
            } else {
                request.response().setStatusCode(404).end();
            }
        }

        private void mint(HttpServerRequest request, String taskIdText) {
            TaskId taskId;
            try {
                taskId = new TaskId(taskIdText);
            } catch (IllegalArgumentException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            Instant now = shared.clock().instant();
            TaskClaims claims = new TaskClaims(shared.issuer(), AGENT, AUDIENCE, now, now,
                    shared.deadline().cap(now.plus(TOKEN_TTL)), OpaqueTokens.randomId(), taskId, TIER, SCOPES,
                    shared.deadline(), OWNER, List.of());
            String token;
            try {
                token = shared.minter().mint(claims);
            } catch (KeyUnavailableException e) {
                request.response().setStatusCode(503).end();
                return;
            }
            // The fields of the broker's answer, in its order.
            JsonObject body = new JsonObject()
                    .put("access_token", token)
                    .put("token_type", "Bearer")
                    .put("expires_in", Duration.between(claims.issuedAt(), claims.expiresAt()).toSeconds())
                    .put("expires_at", claims.expiresAt().toString())
                    .put("task_id", taskId.value())
                    .put("tier", TIER.name())
                    .put("scope", Scope.join(claims.scopes()))
                    .put("audience", AUDIENCE)
                    .put("deadline", shared.deadline().at().toString());
            request.response()
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Cache-Control", "no-store")
                    .putHeader("Content-Type", "application/json")
                    .end(body.toBuffer());
        }
    }
}
