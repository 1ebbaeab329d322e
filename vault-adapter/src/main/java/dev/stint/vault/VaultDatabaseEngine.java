package dev.stint.vault;

import dev.stint.vault.VaultAnswer.MalformedAnswerException;
import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.response.VaultResponse;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Vault's (or OpenBao's) database secrets engine at one {@link VaultConnection}, which serves one
 * tier: issues a database login for a role, never outliving a deadline; revokes a lease and
 * confirms it is gone; looks a lease up.
 *
 * <p>Each instance has its own HTTP client, driver configuration and token; nothing is static or
 * shared, so an engine for one tier cannot send a request to another tier's Vault. Calls block for
 * up to the connection's timeout per request: callers run them on worker threads. Thread-safe.
 * The driver's own retries are off; the broker retries with its own backoff. Nothing is read from
 * the process environment ({@code VAULT_ADDR}, {@code VAULT_TOKEN}, {@code ~/.vault-token},
 * {@code VAULT_SSL_VERIFY}...): the connection says everything.
 *
 * <p>Every failure is one of two checked exceptions: {@link VaultRejectedException} (Vault said no
 * to this request, or it was refused before sending) and {@link VaultUnavailableException} (the
 * work could not be done). Their reasons never carry the token or a password.
 */
public final class VaultDatabaseEngine implements AutoCloseable {

    private final VaultConnection connection;
    private final ExecutorService httpThreads;
    private final Vault vault;
    private final Reasons reasons;
    private volatile boolean closed;

    /**
     * @throws IllegalStateException if the driver refuses the configuration (it should not: every
     *                               field was checked by {@link VaultConnection})
     */
    public VaultDatabaseEngine(VaultConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.reasons = new Reasons(connection);
        String threadName = "stint-vault-" + connection.address().getHost();
        this.httpThreads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        // Our own client: the driver then uses it for every call made here (database(), logical()),
        // with its connect timeout and the JDK's certificate checks, and never follows a redirect,
        // which would carry the token to another host.
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connection.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpThreads)
                .build();
        try {
            VaultConfig config = new VaultConfig()
                    .environmentLoader(new NoEnvironment())
                    .address(connection.address().toString())
                    .token(connection.token())
                    .engineVersion(1)
                    .openTimeout(connection.timeoutSeconds())
                    .readTimeout(connection.timeoutSeconds())
                    .httpClient(http);
            if (connection.namespace().isPresent()) {
                config.nameSpace(connection.namespace().get());
            }
            this.vault = Vault.create(config.build(), 1).withRetries(0, 0);
        } catch (VaultException e) {
            httpThreads.shutdown();
            throw new IllegalStateException(connection.describe() + ": the Vault driver refused the configuration");
        }
    }

    public VaultConnection connection() {
        return connection;
    }

    /**
     * Issues a database login for {@code vaultRole} ({@code GET <mount>/creds/<role>}) that ends by
     * {@code deadline}. If Vault grants a lease that would outlive the deadline, the lease is
     * renewed with an increment of the whole seconds left (Vault then sets its end to the time of
     * renewal plus the increment, and the database plugin moves the login's expiry with it). If
     * that cannot be done (not renewable, less than a second left, renewal refused or still too
     * long), the lease is revoked at once and {@link VaultUnavailableException} is thrown.
     *
     * @param vaultRole the role name, 1 to 128 of {@code A-Z a-z 0-9 _ -}; anything else is
     *                  rejected before any request is sent
     * @param deadline  the task's deadline: the returned lease ends no later
     * @param clock     the broker's clock
     * @return the login; {@code expiresAt} is never after {@code deadline}
     * @throws VaultRejectedException    a bad role name or a deadline less than a second away (no
     *                                   request sent), or Vault refused (403, unknown role or mount)
     * @throws VaultUnavailableException Vault sealed, failing, slow, unreachable, answering
     *                                   malformed JSON, or the lease could not be fitted to the
     *                                   deadline; see {@link VaultUnavailableException#leaseLeftBehind()}
     */
    public IssuedCredentials issue(String vaultRole, Instant deadline, Clock clock)
            throws VaultRejectedException, VaultUnavailableException {
        Objects.requireNonNull(vaultRole, "vaultRole");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(clock, "clock");
        ensureOpen();
        if (!VaultNames.isRole(vaultRole)) {
            throw reasons.rejected("issuing credentials", "the role name " + VaultNames.roleRule());
        }
        String what = "issuing credentials for role " + vaultRole;
        if (wholeSecondsLeft(clock, deadline) < 1) {
            throw reasons.rejected(what, "the deadline is less than a second away");
        }
        // Through the driver: database(mount).creds(role) sends exactly GET /v1/<mount>/creds/<role>.
        VaultAnswer answer = send(what, () -> vault.database(connection.mount()).creds(vaultRole));
        if (answer.status() != 200) {
            reasons.refuse(what, answer);
        }
        Grant grant;
        try {
            grant = Grant.read(answer, connection.mount(), vaultRole);
        } catch (MalformedAnswerException e) {
            String why = "the answer is not Vault's documented JSON: " + e.getMessage();
            var leftover = Grant.leaseIn(answer, connection.mount(), vaultRole);
            throw leftover.isPresent() ? discard(what, leftover.get(), why) : reasons.unavailable(what, why);
        }
        // Vault started the lease before it answered, so now + duration is the latest it can end.
        Instant answeredAt = clock.instant();
        Instant end = answeredAt.plusSeconds(grant.leaseSeconds());
        if (!end.isAfter(deadline)) {
            return credentials(grant, grant.leaseSeconds(), end);
        }
        return fitToDeadline(what, grant, deadline, clock);
    }

    /**
     * Revokes a lease ({@code sys/leases/revoke} with {@code sync: true}), then confirms with
     * {@link #lookup} that Vault no longer knows it. Idempotent: revoking a lease Vault no longer
     * knows (already revoked, expired, or never issued) succeeds, so a retry never fails on work
     * already done.
     *
     * @param leaseId a lease of this connection's mount ({@code <mount>/creds/...}); anything else
     *                is rejected before any request is sent
     * @throws VaultRejectedException    a lease id that is not one of this mount, or Vault refused (403)
     * @throws VaultUnavailableException Vault could not revoke (sealed, failing, the database
     *                                   refused), or the lease is still there afterwards
     */
    public void revoke(String leaseId) throws VaultRejectedException, VaultUnavailableException {
        String what = checkedLeaseWork("revoking", leaseId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lease_id", leaseId);
        body.put("sync", Boolean.TRUE);
        // Raw: the driver's leases().revoke() sends no "sync" and opens a new HTTP client per call.
        VaultAnswer answer = send(what, () -> vault.logical().write("sys/leases/revoke", body));
        if (answer.status() == 400 && !reasons.isInvalidLease(answer)) {
            // Vault reports a failed revocation in the database (unreachable, DROP refused) as a 400
            // (its handleError maps plain errors to ErrInvalidRequest): retrying may well succeed.
            throw reasons.unavailable(what, "Vault could not revoke it: " + reasons.statusText(answer));
        }
        if (answer.status() != 200 && answer.status() != 204 && !reasons.isInvalidLease(answer)) {
            reasons.refuse(what, answer);
        }
        LeaseLookup after;
        try {
            after = lookup(leaseId);
        } catch (VaultRejectedException e) {
            throw reasons.rejected(what, "revocation not confirmed: " + reasons.withoutConnection(e.reason()));
        } catch (VaultUnavailableException e) {
            throw reasons.unavailable(what, "revocation not confirmed: " + reasons.withoutConnection(e.reason()));
        }
        if (after instanceof LeaseLookup.Valid valid) {
            throw reasons.unavailable(what, "revocation not confirmed: Vault still holds the lease until " + valid.expireTime());
        }
    }

    /**
     * Asks Vault what it knows of a lease ({@code sys/leases/lookup}).
     *
     * @return {@link LeaseLookup.Valid} with Vault's expiry, or {@link LeaseLookup.Invalid} when
     *         Vault answers {@code 400 {"errors":["invalid lease"]}} (revoked, expired, unknown)
     * @throws VaultRejectedException    a lease id that is not one of this mount, or Vault refused (403)
     * @throws VaultUnavailableException Vault sealed, failing, unreachable or answering malformed JSON
     */
    public LeaseLookup lookup(String leaseId) throws VaultRejectedException, VaultUnavailableException {
        String what = checkedLeaseWork("looking up", leaseId);
        // Raw: the driver has no lease lookup at all.
        VaultAnswer answer = send(what, () -> vault.logical().write("sys/leases/lookup", Map.of("lease_id", leaseId)));
        if (answer.status() == 400 && reasons.isInvalidLease(answer)) {
            return new LeaseLookup.Invalid();
        }
        if (answer.status() != 200) {
            reasons.refuse(what, answer);
        }
        try {
            JsonObject root = answer.object();
            if (!VaultAnswer.text(root, "data.id").equals(leaseId)) {
                throw new MalformedAnswerException("data.id is not the lease asked about");
            }
            Instant expireTime = timestamp(VaultAnswer.text(root, "data.expire_time"));
            long ttl = VaultAnswer.wholeNumber(root, "data.ttl", 0);
            return new LeaseLookup.Valid(expireTime, Duration.ofSeconds(ttl));
        } catch (MalformedAnswerException e) {
            throw reasons.unavailable(what, "the answer is not Vault's documented JSON: " + e.getMessage());
        }
    }

    /** Stops this engine: later calls throw {@link IllegalStateException}; calls under way finish. */
    @Override
    public void close() {
        closed = true;
        httpThreads.shutdown();
    }

    @Override
    public String toString() {
        return "VaultDatabaseEngine[" + connection.describe() + "]";
    }

    private IssuedCredentials fitToDeadline(String what, Grant grant, Instant deadline, Clock clock)
            throws VaultUnavailableException {
        long secondsLeft = wholeSecondsLeft(clock, deadline);
        String tooLong = "Vault granted " + grant.leaseSeconds() + " s, past the deadline";
        if (secondsLeft < 1) {
            throw discard(what, grant.leaseId(), tooLong + ", which is less than a second away");
        }
        if (!grant.renewable()) {
            throw discard(what, grant.leaseId(), tooLong + " in " + secondsLeft + " s, and the lease is not renewable");
        }
        Instant askedAt = clock.instant();
        String renewing = "renewing lease " + grant.leaseId() + " to " + secondsLeft + " s";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lease_id", grant.leaseId());
        // Never renew without an increment: Vault would reset the lease to the role's default TTL.
        body.put("increment", secondsLeft);
        // Raw: the driver's leases().renew() puts the lease id in the URL and opens a new HTTP client per call.
        VaultAnswer answer;
        try {
            answer = send(renewing, () -> vault.logical().write("sys/leases/renew", body));
        } catch (VaultUnavailableException e) {
            throw discard(what, grant.leaseId(), reasons.withoutConnection(e.reason()));
        }
        if (answer.status() != 200) {
            throw discard(what, grant.leaseId(), renewing + " failed: " + reasons.statusText(answer));
        }
        long renewedSeconds;
        try {
            renewedSeconds = VaultAnswer.wholeNumber(answer.object(), "lease_duration", 1);
        } catch (MalformedAnswerException e) {
            throw discard(what, grant.leaseId(), renewing + ": the answer is not Vault's documented JSON: " + e.getMessage());
        }
        // Asked for exactly the whole seconds left at askedAt: anything longer ends past the deadline.
        if (renewedSeconds > secondsLeft) {
            throw discard(what, grant.leaseId(), tooLong + "; renewed to " + renewedSeconds + " s, still past the deadline in "
                    + secondsLeft + " s");
        }
        // Vault restarted the clock when it handled the renewal, a round trip after askedAt at most;
        // the fraction of a second dropped from the increment is that margin.
        return credentials(grant, renewedSeconds, askedAt.plusSeconds(renewedSeconds));
    }

    private static IssuedCredentials credentials(Grant grant, long leaseSeconds, Instant expiresAt) {
        return new IssuedCredentials(grant.username(), grant.password(), grant.leaseId(),
                Duration.ofSeconds(leaseSeconds), expiresAt);
    }

    /** Revokes a lease that cannot be handed out, and says what became of it. */
    private VaultUnavailableException discard(String what, String leaseId, String why) {
        try {
            revoke(leaseId);
            return reasons.unavailable(what, why + "; lease " + leaseId + " revoked");
        } catch (VaultRejectedException | VaultUnavailableException e) {
            return reasons.unavailable(what, why + "; lease " + leaseId + " left behind, "
                    + reasons.withoutConnection(e.getMessage()), leaseId);
        }
    }

    private String checkedLeaseWork(String verb, String leaseId) throws VaultRejectedException {
        Objects.requireNonNull(leaseId, "leaseId");
        ensureOpen();
        var problem = VaultNames.leaseIdProblem(connection.mount(), leaseId);
        if (problem.isPresent()) {
            throw reasons.rejected(verb + " a lease", "the lease id " + problem.get());
        }
        return verb + " lease " + leaseId;
    }

    /** One call through the driver: Vault's answer, whatever its status, or unavailable if none came. */
    private VaultAnswer send(String what, DriverCall call) throws VaultUnavailableException {
        ensureOpen();
        try {
            return VaultAnswer.of(call.run().getRestResponse());
        } catch (VaultException e) {
            if (e.getHttpStatusCode() > 0) {
                return VaultAnswer.fromDriverMessage(e.getHttpStatusCode(), e.getMessage());
            }
            throw reasons.unavailable(what, "no answer: " + reasons.transportProblem(e));
        }
    }

    private static Instant timestamp(String text) throws MalformedAnswerException {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedAnswerException("data.expire_time is not an RFC 3339 time");
        }
    }

    private static long wholeSecondsLeft(Clock clock, Instant deadline) {
        return Duration.between(clock.instant(), deadline).getSeconds();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(connection.describe() + ": engine is closed");
        }
    }

    @FunctionalInterface
    private interface DriverCall {
        VaultResponse run() throws VaultException;
    }

    /**
     * The driver falls back to the environment for anything not set (VAULT_TOKEN, then
     * ~/.vault-token; VAULT_SSL_VERIFY=false, which would turn off certificate checks). An engine
     * is configured by its connection alone.
     */
    private static final class NoEnvironment extends EnvironmentLoader {

        private static final long serialVersionUID = 1L;

        @Override
        public String loadVariable(String name) {
            return null;
        }
    }
}
