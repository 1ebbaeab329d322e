package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.authenticator.COSEKey;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anyone holding {@code GET /v1/approvals/{id}} can check, without the broker, that this
 * person's authenticator signed this exact task: the digest is recomputed here from the
 * request's content by the documented format (not by the broker's code), and the signature is
 * checked with plain JCA.
 */
class OfflineEvidenceTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;
    BrokerHarness broker;
    String approvalId;

    @BeforeEach
    void approveOnce() {
        broker = BrokerHarness.start(dataDir, new MutableClock(PendingApprovalTest.TUESDAY));
        TestAgent agent = broker.registerAgent("demo-agent", "prod");
        approvalId = broker.openTask(broker.agentToken(agent), "prod", "[\"db:orders:delete\"]", 3600L)
                .text("approval_id");
        assertThat(Approvers.approver(broker, "bob").approve(approvalId, "looks right").status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void evidenceVerifiesOfflineAgainstTheRequestItApproved() throws Exception {
        JsonNode approval = broker.get("/v1/approvals/" + approvalId, broker.adminToken()).json();

        assertThat(verifies(approval, approval.get("votes").get(0).get("evidence"))).isTrue();
    }

    @Test
    void evidenceDoesNotVerifyForAnyOtherContent() throws Exception {
        JsonNode approval = broker.get("/v1/approvals/" + approvalId, broker.adminToken()).json();
        JsonNode evidence = approval.get("votes").get(0).get("evidence");

        for (String field : new String[] {"task_id", "agent_id", "owner", "tier", "purpose", "deadline"}) {
            com.fasterxml.jackson.databind.node.ObjectNode other = approval.deepCopy();
            other.put(field, approval.get(field).asText() + "x");
            assertThat(verifies(other, evidence)).as(field).isFalse();
        }
        com.fasterxml.jackson.databind.node.ObjectNode wider = approval.deepCopy();
        wider.putArray("scopes").add("db:orders:delete").add("db:users:delete");
        assertThat(verifies(wider, evidence)).as("scopes").isFalse();
    }

    /** The whole check, as an outside verifier would write it. */
    static boolean verifies(JsonNode approval, JsonNode evidence) throws Exception {
        byte[] digest = sha256(fields("stint-approval-v1", approval.get("task_id").asText(),
                approval.get("agent_id").asText(), approval.get("owner").asText(), approval.get("tier").asText(),
                String.join(" ", scopes(approval)), approval.get("purpose").asText(),
                approval.get("deadline").asText()));
        String digestText = b64(digest);
        String challenge = b64(sha256(fields("stint-approval-challenge-v1", digestText,
                evidence.get("nonce").asText())));
        byte[] clientData = unb64(evidence.get("client_data_json").asText());
        JsonNode client = JSON.readTree(clientData);
        if (!client.get("type").asText().equals("webauthn.get") || !client.get("challenge").asText().equals(challenge)
                || !client.get("origin").asText().equals(evidence.get("origin").asText())) {
            return false;
        }
        byte[] authenticatorData = unb64(evidence.get("authenticator_data").asText());
        byte[] rpIdHash = Arrays.copyOfRange(authenticatorData, 0, 32);
        boolean userVerified = (authenticatorData[32] & 0x04) != 0;
        if (!Arrays.equals(rpIdHash, sha256(evidence.get("rp_id").asText())) || !userVerified) {
            return false;
        }
        PublicKey key = new ObjectConverter().getCborConverter()
                .readValue(unb64(evidence.get("public_key").asText()), COSEKey.class).getPublicKey();
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initVerify(key);
        signature.update(ByteBuffer.allocate(authenticatorData.length + 32).put(authenticatorData)
                .put(MessageDigest.getInstance("SHA-256").digest(clientData)).array());
        return signature.verify(unb64(evidence.get("signature").asText()));
    }

    /** The documented canonical form: each field as its length in UTF-8 bytes, ':', the field, '|'. */
    static String fields(String... values) {
        StringBuilder out = new StringBuilder();
        for (String value : values) {
            out.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value).append('|');
        }
        return out.toString();
    }

    static java.util.List<String> scopes(JsonNode approval) {
        java.util.List<String> scopes = new java.util.ArrayList<>();
        approval.get("scopes").forEach(s -> scopes.add(s.asText()));
        return scopes;
    }

    static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] unb64(String text) {
        return Base64.getUrlDecoder().decode(text);
    }
}
