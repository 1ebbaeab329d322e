package dev.stint.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SigningKeyTest {

    private static final Instant CREATED = Instant.parse("2030-01-01T00:00:00Z");

    private final SigningKey key = SigningKey.generate(CREATED);

    @Test
    void toStringNeverPrintsThePrivateKey() {
        String printed = key.toString();
        String d = key.privateJwk().getD().toString();

        assertThat(printed)
                .doesNotContain(d)
                .doesNotContain(Base64.getEncoder().encodeToString(key.privateJwk().getD().decode()))
                .doesNotContain(key.privateJwk().getD().decodeToBigInteger().toString())
                .doesNotContain(key.privateJwk().getD().decodeToBigInteger().toString(16))
                .doesNotContain("\"d\"");
    }

    @Test
    void toStringNamesKidAlgorithmAndCreationTime() {
        assertThat(key.toString()).isEqualTo("SigningKey[kid=" + key.kid() + ", alg=ES256, createdAt=" + CREATED + "]");
    }

    @Test
    void generatedKidIsRandomAndRevealsNothing() {
        assertThat(key.kid()).matches("stint-[0-9a-f]{16}");
        assertThat(SigningKey.generate(CREATED).kid()).isNotEqualTo(key.kid());
    }

    @Test
    void generatedKeyIsP256ForEs256() {
        assertThat(key.algorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(key.privateJwk().getCurve()).isEqualTo(Curve.P_256);
        assertThat(key.createdAt()).isEqualTo(CREATED);
    }

    @Test
    void publicJwkHasNoPrivatePart() {
        assertThat(key.publicJwk().isPrivate()).isFalse();
        assertThat(key.publicJwk().toJSONObject()).doesNotContainKey("d");
        assertThat(key.publicJwk().getKeyID()).isEqualTo(key.kid());
    }

    @Test
    void signingKeyNeedsItsPrivatePart() {
        assertThatThrownBy(() -> new SigningKey(key.publicJwk(), CREATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a signing key needs its private part");
    }

    @Test
    void signingKeyNeedsAKid() throws Exception {
        ECKey withoutKid = new ECKeyGenerator(Curve.P_256).generate();

        assertThatThrownBy(() -> new SigningKey(withoutKid, CREATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a signing key needs a kid");
    }

    @Test
    void signingKeyRejectsABlankKid() throws Exception {
        ECKey blankKid = new ECKeyGenerator(Curve.P_256).keyID("  ").generate();

        assertThatThrownBy(() -> new SigningKey(blankKid, CREATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a signing key needs a kid");
    }

    @Test
    void signingKeyMustBeP256() throws Exception {
        ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("stint-p384").generate();

        assertThatThrownBy(() -> new SigningKey(p384, CREATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("signing keys are P-256 (ES256)");
    }

    @Test
    void signingKeyRequiresACreationTime() {
        assertThatThrownBy(() -> new SigningKey(key.privateJwk(), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("createdAt");
    }
}
