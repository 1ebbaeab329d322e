package dev.stint.broker;

import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.deployment.DeploymentFile;
import dev.stint.broker.deployment.DeploymentFileException;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code stint} command line: {@code stint broker [--port N] [--data-dir DIR] [--policy FILE]
 * [--config FILE]}.
 */
@Command(name = "stint", mixinStandardHelpOptions = true, version = "stint 0.1.0",
        description = "Just-in-time, task-scoped credentials for AI agents, bots and CI pipelines.",
        subcommands = {StintBroker.Broker.class, Reap.class})
public final class StintBroker implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new StintBroker()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    @Command(name = "broker", mixinStandardHelpOptions = true, description = "Start the broker.")
    static final class Broker implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
        String host = BrokerOptions.DEFAULT_HOST;

        @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
        int port = BrokerOptions.DEFAULT_PORT;

        @Option(names = "--data-dir", description = "Data directory (default: ${DEFAULT-VALUE}).")
        Path dataDir = BrokerOptions.DEFAULT_DATA_DIR;

        @Option(names = "--policy", description = "Policy file (default: ${DEFAULT-VALUE}).")
        Path policy = Path.of(System.getenv().getOrDefault("STINT_POLICY", "config/policy.yaml"));

        @Option(names = "--config", paramLabel = "FILE", description = "Deployment file: where the store is and"
                + " the database backends (postgres, vault) that issue database credentials per tier, with where"
                + " their secrets are (default: none: embedded store, no backends).")
        Path config;

        @Option(names = "--issuer", description = "OAuth issuer URL, when clients reach the broker through a proxy"
                + " (default: http://HOST:PORT).")
        String issuer;

        @Option(names = "--master-key-file", description = "Key that seals signing keys at rest"
                + " (default: DATA-DIR/master.key; keep it elsewhere in production).")
        Path masterKeyFile;

        @Option(names = "--request-head-timeout", paramLabel = "SECONDS", description = "Close a connection that has"
                + " not sent a complete request head this long after it opened or after its last response"
                + " (default: ${DEFAULT-VALUE}).")
        long requestHeadTimeoutSeconds = HttpLimits.DEFAULT_REQUEST_HEAD_TIMEOUT.toSeconds();

        @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Close a connection on which nothing"
                + " was read or written this long (default: ${DEFAULT-VALUE}).")
        long idleTimeoutSeconds = HttpLimits.DEFAULT_IDLE_TIMEOUT.toSeconds();

        @Option(names = "--max-connections", paramLabel = "N", description = "Open connections the broker takes;"
                + " more are closed at once (default: ${DEFAULT-VALUE}).")
        int maxConnections = HttpLimits.DEFAULT_MAX_CONNECTIONS;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter err = spec.commandLine().getErr();
            BrokerOptions options;
            try {
                // Read before anything starts: a broker must not come up on the wrong store.
                Deployment deployment = config == null ? Deployment.NONE : DeploymentFile.load(config);
                options = new BrokerOptions(host, port, dataDir, policy, issuer, masterKeyFile,
                        BrokerOptions.DEFAULT_AGENT_TOKEN_TTL, BrokerOptions.DEFAULT_TASK_TOKEN_TTL,
                        new HttpLimits(Duration.ofSeconds(requestHeadTimeoutSeconds),
                                Duration.ofSeconds(idleTimeoutSeconds), maxConnections),
                        deployment);
            } catch (DeploymentFileException | IllegalArgumentException e) {
                err.println("stint: " + e.getMessage());
                err.flush();
                return 2;
            }
            Vertx vertx = Vertx.vertx();
            CountDownLatch stopped = new CountDownLatch(1);
            try {
                vertx.deployVerticle(new BrokerVerticle(options, Clock.systemUTC()))
                        .toCompletionStage().toCompletableFuture().join();
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                err.println("stint: the broker did not start: " + cause.getMessage());
                err.flush();
                vertx.close();
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                vertx.close().toCompletionStage().toCompletableFuture().join();
                System.out.println("stint: broker stopped; store closed");
                stopped.countDown();
            }, "stint-shutdown"));
            stopped.await();
            return 0;
        }
    }
}
