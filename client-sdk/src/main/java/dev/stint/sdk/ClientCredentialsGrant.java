package dev.stint.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.stint.token.AgentId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** {@code client_credentials} with a {@code private_key_jwt} client assertion (RFC 7523). */
final class ClientCredentialsGrant implements AgentGrant {

    private final AgentId agentId;
    private final ECKey agentKey;

    ClientCredentialsGrant(AgentId agentId, ECKey agentKey) {
        this.agentId = Objects.requireNonNull(agentId, "agentId");
        this.agentKey = Objects.requireNonNull(agentKey, "agentKey");
    }

    @Override
    public String what() {
        return "authentication of agent " + agentId;
    }

    @Override
    public Map<String, String> form(AgentTokens.Metadata metadata, Instant now) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", agentId.value());
        form.put("client_assertion_type", ClientAssertion.TYPE);
        form.put("client_assertion", ClientAssertion.sign(agentId, agentKey, metadata.issuer(), now));
        return form;
    }

    @Override
    public void checkAnswer(ObjectNode answer) {
        // client_credentials answers carry nothing beyond the access token's own fields.
    }
}
