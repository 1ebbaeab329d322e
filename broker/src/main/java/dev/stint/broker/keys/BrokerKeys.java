package dev.stint.broker.keys;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.store.Store;
import dev.stint.token.SignedTaskTokenMinter;
import dev.stint.token.TaskTokenMinter;
import dev.stint.token.keys.KeySealer;
import dev.stint.token.keys.KeySet;
import dev.stint.token.keys.SigningKey;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The broker's signing keys: generated on first start, sealed at rest with the master key,
 * rotated on command. A retired key stays in the JWKS for {@code retention} (the longest a task
 * token lives, plus verifier leeway), so every token it signed can still be verified until it
 * expires, and then disappears. Readers get one immutable snapshot; rotation swaps it whole.
 */
public final class BrokerKeys {

    private record Snapshot(KeySet keySet, TaskTokenMinter minter, List<StoredKey> stored) {
    }

    private final Store store;
    private final KeySealer sealer;
    private final Clock clock;
    private final Duration retention;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();

    private BrokerKeys(Store store, KeySealer sealer, Clock clock, Duration retention) {
        this.store = Objects.requireNonNull(store, "store");
        this.sealer = Objects.requireNonNull(sealer, "sealer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retention = Objects.requireNonNull(retention, "retention");
    }

    /** Loads the stored keys, generating and storing the first one when there is none. */
    public static Future<BrokerKeys> load(Store store, KeySealer sealer, Clock clock, Duration retention) {
        BrokerKeys keys = new BrokerKeys(store, sealer, clock, retention);
        return store.write(tx -> {
            KeyRows rows = new KeyRows(tx);
            List<StoredKey> stored = rows.all();
            if (stored.stream().noneMatch(k -> k.retiredAt() == null)) {
                SigningKey fresh = SigningKey.generate(clock.instant());
                rows.insert(keys.seal(fresh));
                new AuditRows(tx).append(new AuditEvent("system", "keys.generate", AuditEvent.Decision.ALLOW, null, null,
                        null, "", "generated signing key " + fresh.kid() + " (ES256)"), clock.instant());
                stored = rows.all();
            }
            return stored;
        }).compose(stored -> {
            try {
                keys.snapshot.set(keys.build(stored));
                return Future.succeededFuture(keys);
            } catch (UnavailableException e) {
                return Future.failedFuture(e);
            }
        });
    }

    public KeySet keySet() {
        return snapshot.get().keySet();
    }

    public TaskTokenMinter minter() {
        return snapshot.get().minter();
    }

    /**
     * Makes a new key the signing key and retires the current one.
     *
     * @return the new key's kid
     */
    public Future<String> rotate(String actor) {
        Instant now = clock.instant();
        SigningKey fresh = SigningKey.generate(now);
        String previous = snapshot.get().keySet().active().kid();
        return store.write(tx -> {
            KeyRows rows = new KeyRows(tx);
            if (!rows.retire(previous, now, now.plus(retention))) {
                throw new RejectedException(409, ProblemType.INVALID_REQUEST,
                        "signing key " + previous + " was already rotated by a concurrent request; nothing changed");
            }
            rows.insert(seal(fresh));
            new AuditRows(tx).append(new AuditEvent(actor, "keys.rotate", AuditEvent.Decision.ALLOW, null, null, null, "",
                    "signing key " + fresh.kid() + " replaces " + previous + ", which stays verifiable until "
                            + now.plus(retention)), now);
            return rows.all();
        }).compose(stored -> {
            try {
                snapshot.set(build(stored));
                return Future.succeededFuture(fresh.kid());
            } catch (UnavailableException e) {
                return Future.failedFuture(e);
            }
        });
    }

    /** Drops retired keys whose retention has passed from the JWKS. Cheap; call it periodically. */
    public void prune() {
        Snapshot current = snapshot.get();
        Instant now = clock.instant();
        boolean stale = current.stored().stream()
                .anyMatch(k -> k.verifyUntil() != null && !now.isBefore(k.verifyUntil())
                        && current.keySet().keysFor(k.kid()).size() > 0);
        if (stale) {
            try {
                // Only if no rotation replaced the snapshot meanwhile: never resurrect a retired key.
                snapshot.compareAndSet(current, build(current.stored()));
            } catch (UnavailableException e) {
                // Building from already-opened keys cannot fail to unseal; keep the current set.
            }
        }
    }

    private Snapshot build(List<StoredKey> stored) throws UnavailableException {
        Instant now = clock.instant();
        SigningKey active = null;
        List<ECKey> retired = new ArrayList<>();
        for (StoredKey key : stored) {
            if (key.retiredAt() == null) {
                if (active != null) {
                    throw new UnavailableException("more than one active signing key is stored");
                }
                active = unseal(key);
            } else if (key.verifyUntil() != null && now.isBefore(key.verifyUntil())) {
                try {
                    retired.add(ECKey.parse(key.publicJwk()));
                } catch (ParseException e) {
                    throw new UnavailableException("stored public key " + key.kid() + " is unreadable", e);
                }
            }
        }
        if (active == null) {
            throw new UnavailableException("no active signing key is stored");
        }
        return new Snapshot(new KeySet(active, retired), new SignedTaskTokenMinter(active), List.copyOf(stored));
    }

    private StoredKey seal(SigningKey key) {
        byte[] privateJson = key.privateJwk().toJSONString().getBytes(StandardCharsets.UTF_8);
        return new StoredKey(key.kid(), key.publicJwk().toJSONString(), sealer.seal(privateJson, aad(key.kid())),
                key.createdAt(), null, null);
    }

    private SigningKey unseal(StoredKey stored) throws UnavailableException {
        try {
            byte[] json = sealer.open(stored.sealedPrivateJwk(), aad(stored.kid()));
            return new SigningKey(ECKey.parse(new String(json, StandardCharsets.UTF_8)), stored.createdAt());
        } catch (GeneralSecurityException e) {
            throw new UnavailableException("signing key " + stored.kid()
                    + " cannot be unsealed: wrong master key or tampered data", e);
        } catch (ParseException | IllegalArgumentException e) {
            throw new UnavailableException("signing key " + stored.kid() + " is unreadable after unsealing", e);
        }
    }

    private static String aad(String kid) {
        return "stint-signing-key:" + kid;
    }
}
