package dev.stint.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeySetTest {

    private static final Instant CREATED = Instant.parse("2030-01-01T00:00:00Z");

    private final SigningKey active = SigningKey.generate(CREATED);
    private final SigningKey retired = SigningKey.generate(CREATED.minusSeconds(86_400));

    @Test
    void publicJwksNeverContainsAPrivatePart() {
        // the retired key is handed over with its private part on purpose
        KeySet keys = new KeySet(active, List.of(retired.privateJwk()));

        JWKSet jwks = keys.publicJwks();

        assertThat(jwks.getKeys()).hasSize(2).allSatisfy(key -> assertThat(key.isPrivate()).isFalse());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> served = (List<Map<String, Object>>) jwks.toJSONObject(false).get("keys");
        assertThat(served).allSatisfy(key -> assertThat(key).doesNotContainKey("d"));
        assertThat(jwks.toString())
                .doesNotContain(active.privateJwk().getD().toString())
                .doesNotContain(retired.privateJwk().getD().toString());
    }

    @Test
    void publicJwksListsTheActiveKeyFirstThenTheRetiredOnesInOrder() {
        SigningKey older = SigningKey.generate(CREATED.minusSeconds(172_800));
        KeySet keys = new KeySet(active, List.of(retired.publicJwk(), older.publicJwk()));

        assertThat(keys.publicJwks().getKeys()).extracting(JWK::getKeyID)
                .containsExactly(active.kid(), retired.kid(), older.kid());
    }

    @Test
    void publicJwksKeysAreTheSigningKeysPublicHalves() {
        KeySet keys = new KeySet(active, List.of());

        assertThat(keys.publicJwks().getKeys()).containsExactly(active.publicJwk());
    }

    @Test
    void retiredKeyWithTheActiveKeysKidIsRejected() {
        ECKey sameKid = SigningKey.generate(CREATED).privateJwk();
        ECKey clash = new ECKey.Builder(sameKid).keyID(active.kid()).build();

        assertThatThrownBy(() -> new KeySet(active, List.of(clash)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate kid " + active.kid());
    }

    @Test
    void twoRetiredKeysWithOneKidAreRejected() {
        ECKey first = retired.publicJwk();
        ECKey second = new ECKey.Builder(SigningKey.generate(CREATED).publicJwk()).keyID(retired.kid()).build();

        assertThatThrownBy(() -> new KeySet(active, List.of(first, second)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate kid " + retired.kid());
    }

    @Test
    void retiredKeyWithoutKidIsRefused() throws Exception {
        ECKey withoutKid = new ECKeyGenerator(Curve.P_256)
                .generate().toPublicJWK();

        assertThatThrownBy(() -> new KeySet(active, List.of(withoutKid)))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void keysForUnknownKidIsEmpty() {
        KeySet keys = new KeySet(active, List.of(retired.publicJwk()));

        assertThat(keys.keysFor("stint-0000000000000000")).isEmpty();
    }

    @Test
    void keysForNullKidIsEmpty() {
        assertThat(new KeySet(active, List.of()).keysFor(null)).isEmpty();
    }

    @Test
    void keysForTheActiveKidIsItsPublicKey() {
        KeySet keys = new KeySet(active, List.of(retired.publicJwk()));

        assertThat(keys.keysFor(active.kid())).containsExactly(active.publicJwk());
    }

    @Test
    void keysForARetiredKidIsItsPublicKeyEvenWhenHandedThePrivateOne() {
        KeySet keys = new KeySet(active, List.of(retired.privateJwk()));

        assertThat(keys.keysFor(retired.kid())).containsExactly(retired.publicJwk())
                .allSatisfy(key -> assertThat(key.isPrivate()).isFalse());
    }

    @Test
    void activeIsTheKeyNewTokensAreSignedWith() {
        assertThat(new KeySet(active, List.of(retired.publicJwk())).active()).isSameAs(active);
    }

    @Test
    void keySetRequiresAnActiveKey() {
        assertThatThrownBy(() -> new KeySet(null, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("active");
    }
}
