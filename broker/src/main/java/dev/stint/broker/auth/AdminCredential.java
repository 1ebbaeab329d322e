package dev.stint.broker.auth;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.OpaqueTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin credential in force: the security team's bearer secret, known to the broker only by
 * its SHA-256. The bootstrap credential's secret is written to {@code DATA-DIR/admin.token} on
 * first start; {@link #rotate} replaces it with a new one whose secret is handed to the caller
 * once and stored nowhere, so that afterwards the data directory holds no usable credential.
 *
 * <p>Thread-safe: every HTTP instance of the broker shares one instance, whose hash is swapped
 * as a whole on rotation, so the old credential stops working on all of them at once. (A store
 * shared by several brokers would have each re-read the credential; the embedded store has one.)
 */
public final class AdminCredential {

    private static final Logger LOG = LoggerFactory.getLogger(AdminCredential.class);

    /**
     * A new admin credential. {@link #toString()} leaves the secret out.
     *
     * @param token the secret, to be given to the caller once
     */
    public record Rotated(String token, Instant rotatedAt) {
        public Rotated {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(rotatedAt, "rotatedAt");
        }

        @Override
        public String toString() {
            return "Rotated[rotatedAt=" + rotatedAt + "]";
        }
    }

    private final Vertx vertx;
    private final Store store;
    private final Path tokenFile;
    private final Clock clock;
    private final AtomicReference<String> hash;

    /**
     * @param tokenFile where the bootstrap credential's secret was written; deleted on rotation
     * @param currentHash the SHA-256 of the credential in force, as stored
     */
    public AdminCredential(Vertx vertx, Store store, Path tokenFile, String currentHash, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.tokenFile = Objects.requireNonNull(tokenFile, "tokenFile");
        this.hash = new AtomicReference<>(Objects.requireNonNull(currentHash, "currentHash"));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Reads the credential in force again, for a rotation on another broker sharing the store.
     * A rotation on this broker that completes meanwhile wins: what the read saw may predate it.
     */
    public Future<Void> refresh() {
        String before = hash.get();
        return store.read(tx -> new AdminRows(tx).current()).map(current -> {
            current.map(AdminRows.Current::hash)
                    .filter(stored -> !OpaqueTokens.sameHash(stored, before))
                    .ifPresent(stored -> hash.compareAndSet(before, stored));
            return null;
        });
    }

    /** Whether {@code token} is the admin credential in force (compared in constant time). */
    public boolean accepts(String token) {
        return OpaqueTokens.sameHash(OpaqueTokens.hash(token), hash.get());
    }

    /**
     * Replaces the admin credential: the new one's hash and an audit record (without any secret)
     * commit together, then the old credential stops authenticating and {@code admin.token} is
     * deleted from the data directory.
     *
     * @param actor who asked, for the audit record
     * @return the new secret; a future failed with {@link RejectedException} (409) when a
     *     concurrent rotation came first, or with {@link UnavailableException} when the store fails
     */
    public Future<Rotated> rotate(String actor) {
        String previous = hash.get();
        String token = OpaqueTokens.generate(OpaqueTokens.ADMIN_PREFIX);
        String next = OpaqueTokens.hash(token);
        Instant now = clock.instant();
        return store.write(tx -> {
            AdminRows rows = new AdminRows(tx);
            AuditRows audit = new AuditRows(tx);
            boolean current = rows.current().map(c -> OpaqueTokens.sameHash(c.hash(), previous)).orElse(false);
            if (!current) {
                String reason = "admin credential rotation rejected: a concurrent rotation replaced it first;"
                        + " nothing changed";
                audit.append(new AuditEvent(actor, "admin.rotate", AuditEvent.Decision.DENY, null, null, null, "",
                        reason), now);
                return reason;
            }
            rows.replace(next, now);
            audit.append(new AuditEvent(actor, "admin.rotate", AuditEvent.Decision.ALLOW, null, null, null, "",
                    "admin credential rotated: the previous one no longer authenticates; the new one was given"
                            + " to the caller once and is stored only as a hash; " + tokenFile.getFileName()
                            + " is removed from the data directory"), now);
            return null;
        }).compose(refusal -> {
            if (refusal != null) {
                return Future.failedFuture(new RejectedException(409, ProblemType.INVALID_REQUEST, refusal));
            }
            hash.compareAndSet(previous, next);
            return vertx.executeBlocking(this::deleteTokenFile, false)
                    .otherwise(failure -> {
                        // The file holds only the old, now invalid credential: worth a warning, not a failure.
                        LOG.warn("could not delete {} after rotating the admin credential: {}", tokenFile,
                                failure.getMessage());
                        return null;
                    })
                    .map(v -> new Rotated(token, now));
        });
    }

    private Void deleteTokenFile() throws IOException {
        if (Files.deleteIfExists(tokenFile)) {
            LOG.info("admin credential rotated; deleted {}: the data directory holds no admin credential",
                    tokenFile);
        }
        return null;
    }
}
