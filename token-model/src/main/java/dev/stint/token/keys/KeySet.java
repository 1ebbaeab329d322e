package dev.stint.token.keys;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The broker's keys at one moment: the active signing key and the public keys that verify (the
 * active one, the next one, published before it signs so that caching verifiers know it in time,
 * and retired ones whose tokens may not have expired yet). Immutable: rotating means building a
 * new {@code KeySet}, so a reader never sees half a rotation.
 */
public final class KeySet implements VerificationKeySource {

    private final SigningKey active;
    private final Map<String, ECKey> verification;
    private final List<String> order;

    /**
     * @param active the key new tokens are signed with
     * @param retired the other public keys to publish: earlier signing keys that tokens may still
     *     carry, and the next signing key
     */
    public KeySet(SigningKey active, List<ECKey> retired) {
        this.active = Objects.requireNonNull(active, "active");
        Map<String, ECKey> keys = new LinkedHashMap<>();
        keys.put(active.kid(), active.publicJwk());
        for (ECKey key : retired) {
            ECKey publicKey = key.toPublicJWK();
            if (keys.putIfAbsent(publicKey.getKeyID(), publicKey) != null) {
                throw new IllegalArgumentException("duplicate kid " + publicKey.getKeyID());
            }
        }
        this.verification = Map.copyOf(keys);
        this.order = List.copyOf(keys.keySet());
    }

    public SigningKey active() {
        return active;
    }

    @Override
    public List<JWK> keysFor(String kid) {
        ECKey key = kid == null ? null : verification.get(kid);
        return key == null ? List.of() : List.of(key);
    }

    /** The public JWK Set served at {@code /.well-known/jwks.json}: never any private part. */
    public JWKSet publicJwks() {
        List<JWK> keys = new ArrayList<>();
        for (String kid : order) {
            keys.add(verification.get(kid));
        }
        return new JWKSet(keys);
    }
}
