package dev.stint.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentKeysTest {

    @TempDir
    Path dir;

    @Test
    void generatedKeyIsPrivateP256WithThumbprintKid() throws Exception {
        ECKey key = AgentKeys.generate();

        assertThat(key.isPrivate()).isTrue();
        assertThat(key.getCurve()).isEqualTo(Curve.P_256);
        assertThat(key.getKeyID()).isEqualTo(key.computeThumbprint().toString());
    }

    @Test
    void writtenKeyIsReadableOnlyByOwner() throws Exception {
        Path file = dir.resolve("agent.jwk");

        AgentKeys.writePrivate(AgentKeys.generate(), file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void writtenKeyLoadsBackUnchanged() throws Exception {
        ECKey key = AgentKeys.generate();
        Path file = dir.resolve("agent.jwk");
        AgentKeys.writePrivate(key, file);

        assertThat(AgentKeys.load(file)).isEqualTo(key);
    }

    @Test
    void existingKeyFileIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("agent.jwk");
        AgentKeys.writePrivate(AgentKeys.generate(), file);
        String before = Files.readString(file);

        assertThatThrownBy(() -> AgentKeys.writePrivate(AgentKeys.generate(), file))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void publicJwkSetHoldsNoPrivatePart() throws Exception {
        ECKey key = AgentKeys.generate();

        JsonNode jwks = new ObjectMapper().readTree(AgentKeys.publicJwkSetJson(key));

        JsonNode only = jwks.get("keys").get(0);
        assertThat(jwks.get("keys")).hasSize(1);
        assertThat(only.has("d")).isFalse();
        assertThat(only.get("kid").asText()).isEqualTo(key.getKeyID());
        assertThat(only.get("x").asText()).isEqualTo(key.getX().toString());
    }

    @Test
    void publicOnlyKeyFileIsRefused() throws Exception {
        Path file = dir.resolve("public.jwk");
        Files.writeString(file, AgentKeys.generate().toPublicJWK().toJSONString());

        assertThatThrownBy(() -> AgentKeys.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent key file " + file + ": the agent key must include its private part");
    }

    @Test
    void keyWithoutKidIsRefused() throws Exception {
        Path file = dir.resolve("nokid.jwk");
        Files.writeString(file, new ECKeyGenerator(Curve.P_256).generate().toJSONString());

        assertThatThrownBy(() -> AgentKeys.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent key file " + file + ": the agent key needs a kid");
    }

    @Test
    void keyOnOtherCurveIsRefused() throws Exception {
        Path file = dir.resolve("p384.jwk");
        Files.writeString(file, new ECKeyGenerator(Curve.P_384).keyID("k").generate().toJSONString());

        assertThatThrownBy(() -> AgentKeys.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent key file " + file + ": the agent key must be on curve P-256 (ES256)");
    }

    @Test
    void brokenKeyFileIsRefusedWithoutQuotingIt() throws Exception {
        Path file = dir.resolve("broken.jwk");
        String json = AgentKeys.generate().toJSONString();
        Files.writeString(file, json.substring(0, json.length() - 3));

        assertThatThrownBy(() -> AgentKeys.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent key file " + file + " is not a JSON Web Key")
                .hasNoCause();
    }
}
