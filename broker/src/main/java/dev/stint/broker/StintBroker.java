package dev.stint.broker;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code stint} command line: {@code stint broker [--port N] [--data-dir DIR] [--policy FILE]}. */
@Command(name = "stint", mixinStandardHelpOptions = true, version = "stint 0.1.0",
        description = "Just-in-time, task-scoped credentials for AI agents, bots and CI pipelines.",
        subcommands = {StintBroker.Broker.class})
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

        @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
        String host = BrokerOptions.DEFAULT_HOST;

        @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
        int port = BrokerOptions.DEFAULT_PORT;

        @Option(names = "--data-dir", description = "Data directory (default: ${DEFAULT-VALUE}).")
        Path dataDir = BrokerOptions.DEFAULT_DATA_DIR;

        @Option(names = "--policy", description = "Policy file (default: ${DEFAULT-VALUE}).")
        Path policy = Path.of(System.getenv().getOrDefault("STINT_POLICY", "config/policy.yaml"));

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
            BrokerOptions options;
            try {
                options = new BrokerOptions(host, port, dataDir, policy, issuer, masterKeyFile,
                        BrokerOptions.DEFAULT_AGENT_TOKEN_TTL, BrokerOptions.DEFAULT_TASK_TOKEN_TTL,
                        new HttpLimits(Duration.ofSeconds(requestHeadTimeoutSeconds),
                                Duration.ofSeconds(idleTimeoutSeconds), maxConnections));
            } catch (IllegalArgumentException e) {
                System.err.println("stint: " + e.getMessage());
                return 2;
            }
            Vertx vertx = Vertx.vertx();
            CountDownLatch stopped = new CountDownLatch(1);
            try {
                vertx.deployVerticle(new BrokerVerticle(options, Clock.systemUTC()))
                        .toCompletionStage().toCompletableFuture().join();
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                System.err.println("stint: the broker did not start: " + cause.getMessage());
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
