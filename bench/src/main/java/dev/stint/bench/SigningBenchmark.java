package dev.stint.bench;

import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.token.AgentId;
import dev.stint.token.DefaultTaskTokenVerifier;
import dev.stint.token.KeyUnavailableException;
import dev.stint.token.SignedTaskTokenMinter;
import dev.stint.token.TaskClaims;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import dev.stint.token.TokenRejectedException;
import dev.stint.token.keys.KeySet;
import dev.stint.token.keys.SigningKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ES256 cost of one realistic task token, without any broker around it.
 *
 * <ul>
 *   <li>{@code sign}: {@link SignedTaskTokenMinter#mint} of fixed claims (claims to JSON, base64url,
 *       ECDSA P-256 with SHA-256). With one thread this is the "raw single-core signing rate" that
 *       the HTTP benchmark ({@code run-http.sh}) compares against.</li>
 *   <li>{@code verify}: {@link DefaultTaskTokenVerifier#pinned} on a token signed in setup: parse,
 *       header checks, signature, then every claim check a resource server runs.</li>
 * </ul>
 *
 * The JCA provider is whatever {@code JcaProviders} picks for the running JDK (Bouncy Castle
 * below 21, the JDK's own from 21 on), exactly as in the broker.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class SigningBenchmark {

    static final String ISSUER = "http://127.0.0.1:8400";
    static final Tier TIER = new Tier("dev");
    static final String AUDIENCE = "urn:stint:tier:dev";

    private SignedTaskTokenMinter minter;
    private DefaultTaskTokenVerifier verifier;
    private TaskClaims claims;
    private String token;

    @Setup(Level.Trial)
    public void keys() {
        SigningKey key = SigningKey.generate(Instant.now());
        minter = new SignedTaskTokenMinter(key);
        verifier = DefaultTaskTokenVerifier.pinned(ISSUER, AUDIENCE, TIER, new KeySet(key, List.of()),
                Clock.systemUTC());
    }

    /** Fresh claims (and a token to verify) every iteration, so no token expires mid-run. */
    @Setup(Level.Iteration)
    public void token() throws KeyUnavailableException, TokenRejectedException {
        claims = realisticClaims(Instant.now());
        token = minter.mint(claims);
        verifier.verify(token); // fail fast if the set-up is wrong rather than measure exceptions
    }

    /** What the broker puts in a dev task token: 5-minute token inside an 8-hour task. */
    static TaskClaims realisticClaims(Instant now) {
        TaskDeadline deadline = TaskDeadline.after(now, Duration.ofHours(8));
        return new TaskClaims(ISSUER, new AgentId("demo-agent"), AUDIENCE, now, now,
                deadline.cap(now.plus(Duration.ofMinutes(5))), OpaqueTokens.randomId(),
                TaskId.random(), TIER, List.of(dev.stint.token.Scope.parse("db:orders:read")), deadline,
                "team-orders@example.com", List.of());
    }

    @Benchmark
    public String sign() throws KeyUnavailableException {
        return minter.mint(claims);
    }

    @Benchmark
    public TaskClaims verify() throws KeyUnavailableException, TokenRejectedException {
        return verifier.verify(token);
    }
}
