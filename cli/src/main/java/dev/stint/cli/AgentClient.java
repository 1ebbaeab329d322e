package dev.stint.cli;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.cli.ci.CiSetupException;
import dev.stint.cli.ci.GithubIdToken;
import dev.stint.cli.ci.GitlabIdToken;
import dev.stint.sdk.AgentKeys;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.StintClientOptions;
import dev.stint.sdk.SubjectTokenSource;
import dev.stint.sdk.TokenExchangeOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The SDK client a command uses, authenticated as its {@link Login} says, and the HTTP client
 * under it. Close it when the command is done: see {@link #close()}.
 *
 * @param renewsAuthentication false when the client can get one agent token only (GitLab's ID
 *     token is fixed for the job and the broker accepts it once): then everything must be done
 *     before that token's {@link dev.stint.sdk.AgentToken#renewsAt()}
 */
record AgentClient(StintClient client, boolean renewsAuthentication, HttpClient http) implements AutoCloseable {

    static final Duration REQUEST_TIMEOUT = StintClientOptions.DEFAULT_REQUEST_TIMEOUT;

    AgentClient {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(http, "http");
    }

    /**
     * Stops the HTTP client's selector thread. A thread left waiting in native code holds the
     * JVM's exit up by 300 ms, a third of stint's start-up. The JDK can stop it from 21 on
     * ({@code shutdownNow}, {@code awaitTermination}); stint is built for 17, so it asks by name,
     * and on 17 the exit is only slower.
     */
    @Override
    public void close() {
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(http);
            HttpClient.class.getMethod("awaitTermination", Duration.class).invoke(http, Duration.ofMillis(200));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // JDK 17-20, or interrupted: the JVM still exits, 300 ms later.
        }
    }

    /**
     * @throws CliFailure (config) when the key file cannot be used or the CI job is not set up
     */
    static AgentClient connect(URI broker, Login login, Map<String, String> env, Clock clock) throws CliFailure {
        // One client for the broker and GitHub's token service; never following redirects,
        // which would carry a bearer token to wherever they point.
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(REQUEST_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER);
        boolean githubOverTls = login instanceof Login.Ci ci && ci.platform() == Login.Platform.GITHUB
                && !env.getOrDefault(GithubIdToken.URL_VARIABLE, "").startsWith("http:");
        if ("http".equalsIgnoreCase(broker.getScheme()) && !githubOverTls) {
            NoTls.apply(builder);
        }
        HttpClient http = builder.build();
        if (login instanceof Login.Key key) {
            return new AgentClient(StintClient.create(new StintClientOptions(broker, key.agent(), load(key), clock,
                    REQUEST_TIMEOUT, StintClientOptions.DEFAULT_SAFETY_MARGIN), http), true, http);
        }
        Login.Ci ci = (Login.Ci) login;
        SubjectTokenSource source;
        try {
            source = ci.platform() == Login.Platform.GITHUB
                    ? GithubIdToken.fromEnvironment(env, ci.audience() != null ? ci.audience() : broker.toString(), http)
                    : GitlabIdToken.fromEnvironment(env, ci.tokenVariable());
        } catch (CiSetupException e) {
            throw new CliFailure(ExitCodes.CONFIG, e.getMessage());
        }
        return new AgentClient(StintClient.create(new TokenExchangeOptions(broker, source, clock, REQUEST_TIMEOUT,
                StintClientOptions.DEFAULT_SAFETY_MARGIN), http), ci.platform() == Login.Platform.GITHUB, http);
    }

    private static ECKey load(Login.Key key) throws CliFailure {
        try {
            return AgentKeys.load(key.keyFile());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.CONFIG, "cannot read the agent key file " + key.keyFile() + " ("
                    + e.getClass().getSimpleName() + ")");
        } catch (IllegalArgumentException e) {
            // AgentKeys' messages name the file and what is wrong, never key material.
            throw new CliFailure(ExitCodes.CONFIG, e.getMessage());
        }
    }
}
