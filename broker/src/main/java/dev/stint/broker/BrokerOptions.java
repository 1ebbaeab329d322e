package dev.stint.broker;

import dev.stint.broker.deployment.Deployment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a broker is configured. Immutable; {@code with*} methods return a copy.
 *
 * @param issuer the OAuth issuer; {@code null} means {@code http://HOST:PORT} of the listen address
 * @param masterKeyFile where the key sealing signing keys lives; {@code null} means in the data directory
 * @param http what one client can hold of the HTTP servers: deadlines and the connection cap
 * @param deployment where the store (and later the backends) are, from {@code --config};
 *     {@link Deployment#NONE} means the embedded store in the data directory
 */
public record BrokerOptions(
        String host,
        int port,
        Path dataDir,
        Path policyFile,
        String issuer,
        Path masterKeyFile,
        Duration agentTokenTtl,
        Duration taskTokenTtl,
        HttpLimits http,
        Deployment deployment) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8400;
    public static final Path DEFAULT_DATA_DIR = Path.of(".stint-data");
    public static final Duration DEFAULT_AGENT_TOKEN_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_TASK_TOKEN_TTL = Duration.ofMinutes(5);
    /** Request bodies above this size are refused with 413 before they are read. */
    public static final int MAX_BODY_BYTES = dev.stint.broker.http.RequestLimits.MAX_BODY_BYTES;

    public BrokerOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535");
        }
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(policyFile, "policyFile");
        Objects.requireNonNull(agentTokenTtl, "agentTokenTtl");
        Objects.requireNonNull(taskTokenTtl, "taskTokenTtl");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(deployment, "deployment");
        if (agentTokenTtl.isNegative() || agentTokenTtl.isZero() || agentTokenTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("agent tokens live between 1 s and 1 h");
        }
        if (taskTokenTtl.isNegative() || taskTokenTtl.isZero() || taskTokenTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("task tokens live between 1 s and 1 h");
        }
    }

    public static BrokerOptions defaults(Path policyFile) {
        return new BrokerOptions(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_DATA_DIR, policyFile, null, null,
                DEFAULT_AGENT_TOKEN_TTL, DEFAULT_TASK_TOKEN_TTL, HttpLimits.DEFAULTS, Deployment.NONE);
    }

    public BrokerOptions withPort(int newPort) {
        return new BrokerOptions(host, newPort, dataDir, policyFile, issuer, masterKeyFile, agentTokenTtl, taskTokenTtl,
                http, deployment);
    }

    public BrokerOptions withDataDir(Path newDataDir) {
        return new BrokerOptions(host, port, newDataDir, policyFile, issuer, masterKeyFile, agentTokenTtl, taskTokenTtl,
                http, deployment);
    }

    public BrokerOptions withIssuer(String newIssuer) {
        return new BrokerOptions(host, port, dataDir, policyFile, newIssuer, masterKeyFile, agentTokenTtl, taskTokenTtl,
                http, deployment);
    }

    public BrokerOptions withHost(String newHost) {
        return new BrokerOptions(newHost, port, dataDir, policyFile, issuer, masterKeyFile, agentTokenTtl, taskTokenTtl,
                http, deployment);
    }

    public BrokerOptions withMasterKeyFile(Path file) {
        return new BrokerOptions(host, port, dataDir, policyFile, issuer, file, agentTokenTtl, taskTokenTtl, http,
                deployment);
    }

    public BrokerOptions withHttp(HttpLimits newHttp) {
        return new BrokerOptions(host, port, dataDir, policyFile, issuer, masterKeyFile, agentTokenTtl, taskTokenTtl,
                newHttp, deployment);
    }

    public BrokerOptions withDeployment(Deployment newDeployment) {
        return new BrokerOptions(host, port, dataDir, policyFile, issuer, masterKeyFile, agentTokenTtl, taskTokenTtl,
                http, newDeployment);
    }

    public Path effectiveMasterKeyFile() {
        return masterKeyFile != null ? masterKeyFile : dataDir.resolve("master.key");
    }

    public Path adminTokenFile() {
        return dataDir.resolve("admin.token");
    }
}
