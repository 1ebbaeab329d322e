package dev.stint.broker.keys;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The broker's signing keys: generated on first start, sealed at rest with the master key,
 * rotated on command. Three kinds are published in the JWKS:
 * <ul>
 *   <li>the <em>active</em> key, which signs every new task token;</li>
 *   <li>the <em>next</em> key, published before it ever signs: verifiers cache the JWKS for
 *       {@link #JWKS_MAX_AGE}, so a key must have been in it that long before tokens carry its
 *       kid, or a verifier would meet a kid it does not know;</li>
 *   <li><em>retired</em> keys, each kept for {@code retention} after it stopped signing (the
 *       longest a task token lives, plus verifier leeway), then dropped.</li>
 * </ul>
 * Rotation promotes the next key, retires the active one and generates a new next key, and is
 * refused while the next key is younger than {@link #JWKS_MAX_AGE}. Readers get one immutable
 * snapshot; rotation swaps it whole. Thread-safe.
 */
public final class BrokerKeys {

    /**
     * How long verifiers may cache the JWKS ({@code Cache-Control: max-age} of
     * {@code /.well-known/jwks.json}), and so how long the next key is published before it signs.
     */
    public static final Duration JWKS_MAX_AGE = Duration.ofSeconds(60);

    /**
     * What a rotation did.
     *
     * @param activeKid the key that signs from now on (the former next key)
     * @param nextKid the new next key, published from now on
     * @param retiredKid the former active key
     * @param retiredVerifiableUntil when the retired key leaves the JWKS
     * @param nextRotationFrom the earliest time the following rotation is accepted
     */
    public record Rotation(String activeKid, String nextKid, String retiredKid, Instant retiredVerifiableUntil,
            Instant nextRotationFrom) {
    }

    private record Snapshot(KeySet keySet, TaskTokenMinter minter, List<StoredKey> stored) {
    }

    /** A rotation unit's result: committed either way, so that a refusal is on the audit log too. */
    private sealed interface Outcome {
        record Rotated(Rotation rotation, List<StoredKey> stored) implements Outcome {
        }

        record Refused(String reason) implements Outcome {
        }
    }

    private final Store store;
    private final KeySealer sealer;
    private final Clock clock;
    private final Duration retention;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
    /** Serialises key generation and rotation across the brokers sharing a store. */
    private static final String LOCK = "signing-keys";

    private BrokerKeys(Store store, KeySealer sealer, Clock clock, Duration retention) {
        this.store = Objects.requireNonNull(store, "store");
        this.sealer = Objects.requireNonNull(sealer, "sealer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retention = Objects.requireNonNull(retention, "retention");
    }

    /**
     * Loads the stored keys. On first start generates the active and the next key; a store with
     * an active key but no next one (upgraded from before next keys existed) gets its next key now.
     *
     * @return a future failed with {@link UnavailableException} when the store fails or a key
     *     cannot be unsealed (wrong master key)
     */
    public static Future<BrokerKeys> load(Store store, KeySealer sealer, Clock clock, Duration retention) {
        BrokerKeys keys = new BrokerKeys(store, sealer, clock, retention);
        return store.write(tx -> {
            // Brokers starting together on one shared store: one generates, the others find its keys.
            tx.exclusive(LOCK);
            KeyRows rows = new KeyRows(tx);
            List<StoredKey> stored = rows.all();
            Instant now = clock.instant();
            if (find(stored, StoredKey::isActive).isEmpty()) {
                if (find(stored, StoredKey::isNext).isPresent()) {
                    throw new UnavailableException("a next signing key is stored but no active one");
                }
                SigningKey first = SigningKey.generate(now);
                rows.insert(keys.seal(first, now));
                new AuditRows(tx).append(system("generated signing key " + first.kid() + " (ES256), which signs now"),
                        now);
            }
            if (find(stored, StoredKey::isNext).isEmpty()) {
                SigningKey next = SigningKey.generate(now);
                rows.insert(keys.seal(next, null));
                new AuditRows(tx).append(system("generated next signing key " + next.kid()
                        + " (ES256), published in the JWKS from now; rotating to it is accepted from "
                        + now.plus(JWKS_MAX_AGE)), now);
            }
            return rows.all();
        }).compose(stored -> {
            try {
                keys.snapshot.set(keys.build(stored));
                return Future.succeededFuture(keys);
            } catch (UnavailableException e) {
                return Future.failedFuture(e);
            }
        });
    }

    /** The active key and every published public key (active, next, retired). */
    public KeySet keySet() {
        return snapshot.get().keySet();
    }

    public TaskTokenMinter minter() {
        return snapshot.get().minter();
    }

    /**
     * Promotes the next key to active, retires the active one (verifiable for the retention) and
     * publishes a new next key. Refused, changing no key, while the next key has been published
     * for less than {@link #JWKS_MAX_AGE}: a verifier may not have fetched it yet. Both outcomes
     * are audited.
     *
     * @param actor who asked, for the audit record
     * @return a future failed with {@link RejectedException} (409) when rotating now would sign
     *     with a key verifiers may not know, or with {@link UnavailableException} when the store fails
     */
    public Future<Rotation> rotate(String actor) {
        Instant now = clock.instant();
        SigningKey fresh = SigningKey.generate(now);
        StoredKey sealedFresh = seal(fresh, null);
        return store.write(tx -> {
            tx.exclusive(LOCK);
            KeyRows rows = new KeyRows(tx);
            List<StoredKey> stored = rows.all();
            StoredKey active = find(stored, StoredKey::isActive)
                    .orElseThrow(() -> new UnavailableException("no active signing key is stored"));
            StoredKey next = find(stored, StoredKey::isNext)
                    .orElseThrow(() -> new UnavailableException("no next signing key is stored"));
            Instant safeFrom = next.createdAt().plus(JWKS_MAX_AGE);
            if (now.isBefore(safeFrom)) {
                String reason = tooSoon(next, now, safeFrom);
                new AuditRows(tx).append(new AuditEvent(actor, "keys.rotate", AuditEvent.Decision.DENY, null, null,
                        null, "", reason), now);
                return new Outcome.Refused(reason);
            }
            Instant verifyUntil = now.plus(retention);
            if (!rows.retire(active.kid(), now, verifyUntil) || !rows.activate(next.kid(), now)) {
                throw new UnavailableException("the signing keys changed during rotation");
            }
            rows.insert(sealedFresh);
            Rotation rotation = new Rotation(next.kid(), fresh.kid(), active.kid(), verifyUntil,
                    now.plus(JWKS_MAX_AGE));
            new AuditRows(tx).append(new AuditEvent(actor, "keys.rotate", AuditEvent.Decision.ALLOW, null, null, null,
                    "", "signing key " + next.kid() + " (in the JWKS since " + next.createdAt() + ") now signs; "
                            + active.kid() + " is retired and stays verifiable until " + verifyUntil + "; "
                            + fresh.kid() + " is the next key, published from now"), now);
            return new Outcome.Rotated(rotation, rows.all());
        }).compose(outcome -> {
            if (outcome instanceof Outcome.Refused refused) {
                return Future.failedFuture(new RejectedException(409, ProblemType.KEY_ROTATION_TOO_SOON,
                        refused.reason()));
            }
            Outcome.Rotated rotated = (Outcome.Rotated) outcome;
            try {
                adopt(rotated.stored());
                return Future.succeededFuture(rotated.rotation());
            } catch (UnavailableException e) {
                return Future.failedFuture(e);
            }
        });
    }

    /**
     * Reads the stored keys again and adopts them if another broker sharing the store rotated:
     * its next key is published here before any broker can sign with it, since rotating to a
     * next key is refused for {@link #JWKS_MAX_AGE} after it was created and this runs every second.
     */
    public Future<Void> refresh() {
        return store.read(tx -> new KeyRows(tx).all()).compose(stored -> {
            if (stored.size() <= snapshot.get().stored().size()) {
                return Future.succeededFuture();
            }
            try {
                adopt(stored);
                return Future.succeededFuture();
            } catch (UnavailableException e) {
                return Future.failedFuture(e);
            }
        });
    }

    /** Keys are never deleted and every rotation adds one, so the snapshot built from more rows is the newer one. */
    private void adopt(List<StoredKey> stored) throws UnavailableException {
        Snapshot built = build(stored);
        snapshot.accumulateAndGet(built, (current, candidate) ->
                candidate.stored().size() >= current.stored().size() ? candidate : current);
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

    private static String tooSoon(StoredKey next, Instant now, Instant safeFrom) {
        long published = Duration.between(next.createdAt(), now).toSeconds();
        Duration wait = Duration.between(now, safeFrom);
        long waitSeconds = wait.toSeconds() + (wait.toNanosPart() == 0 ? 0 : 1);
        return "key rotation rejected: the next signing key " + next.kid() + " has been in the JWKS for "
                + published + " s, and verifiers may cache the JWKS for " + JWKS_MAX_AGE.toSeconds()
                + " s, so some may not know it yet; rotation is safe from " + safeFrom + " (in " + waitSeconds
                + " s); nothing changed";
    }

    private static Optional<StoredKey> find(List<StoredKey> stored, Predicate<StoredKey> which) {
        return stored.stream().filter(which).findFirst();
    }

    private static AuditEvent system(String reason) {
        return new AuditEvent("system", "keys.generate", AuditEvent.Decision.ALLOW, null, null, null, "", reason);
    }

    /**
     * Unseals the active and the next key (so that a wrong master key fails at start, not at the
     * first rotation) and publishes the active, the next and the unexpired retired keys.
     */
    private Snapshot build(List<StoredKey> stored) throws UnavailableException {
        Instant now = clock.instant();
        SigningKey active = null;
        SigningKey next = null;
        List<ECKey> retired = new ArrayList<>();
        for (StoredKey key : stored) {
            if (key.isActive()) {
                if (active != null) {
                    throw new UnavailableException("more than one active signing key is stored");
                }
                active = unseal(key);
            } else if (key.isNext()) {
                if (next != null) {
                    throw new UnavailableException("more than one next signing key is stored");
                }
                next = unseal(key);
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
        if (next == null) {
            throw new UnavailableException("no next signing key is stored");
        }
        List<ECKey> published = new ArrayList<>();
        published.add(next.publicJwk());
        published.addAll(retired);
        return new Snapshot(new KeySet(active, published), new SignedTaskTokenMinter(active), List.copyOf(stored));
    }

    private StoredKey seal(SigningKey key, Instant activatedAt) {
        byte[] privateJson = key.privateJwk().toJSONString().getBytes(StandardCharsets.UTF_8);
        return new StoredKey(key.kid(), key.publicJwk().toJSONString(), sealer.seal(privateJson, aad(key.kid())),
                key.createdAt(), activatedAt, null, null);
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

    /** The associated data a key's private half is sealed with: its kid, so rows cannot be swapped. */
    static String aad(String kid) {
        return "stint-signing-key:" + kid;
    }
}
