package dev.stint.broker.agents;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.stint.broker.http.FreeText;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.policy.Policy;
import dev.stint.token.AgentId;
import dev.stint.token.HeaderText;
import dev.stint.token.Tier;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /v1/agents}: {@code {agent_id, owner, purpose, tiers[], jwks?}}. Without
 * {@code jwks} the agent has no key and can only come in through CI federation. Keys
 * must be public (a private part is refused: the broker must never hold an agent's secret),
 * named by a unique {@code kid}, and EC P-256/P-384 or RSA of at least 2048 bits.
 */
public record AgentRegistration(
        @JsonProperty("agent_id") String agentId,
        @JsonProperty("owner") String owner,
        @JsonProperty("purpose") String purpose,
        @JsonProperty("tiers") List<String> tiers,
        @JsonProperty("jwks") JsonNode jwks) {

    static final int MAX_KEYS = 5;

    /** Checks every field and builds the agent, active from {@code now}. */
    public Agent toAgent(Policy policy, Instant now) throws RejectedException {
        AgentId id;
        try {
            id = new AgentId(agentId);
        } catch (IllegalArgumentException e) {
            throw RejectedException.badRequest(e.getMessage());
        }
        String cleanOwner = FreeText.require(owner, "owner", 200);
        String cleanPurpose = FreeText.require(purpose, "purpose", 500);
        if (tiers == null || tiers.isEmpty()) {
            throw RejectedException.badRequest("tiers is required: the tiers this agent may work in");
        }
        Set<Tier> agentTiers = new LinkedHashSet<>();
        for (String name : tiers) {
            Tier tier = Tier.parseOrNull(name);
            if (tier == null || policy.tier(tier).isEmpty()) {
                throw RejectedException.badRequest("tier " + (tier == null ? "(malformed)" : name)
                        + " is not defined in the policy; defined: " + String.join(", ",
                                policy.document().tiers().keySet().stream().map(Tier::name).toList()));
            }
            agentTiers.add(tier);
        }
        return new Agent(id, cleanOwner, cleanPurpose, List.copyOf(agentTiers), publicKeys(), AgentStatus.ACTIVE,
                now, now);
    }

    private JWKSet publicKeys() throws RejectedException {
        if (jwks == null || jwks.isNull()) {
            // A key-less agent: it can only come in through a federation rule (a CI job's OIDC token).
            return new JWKSet();
        }
        if (!jwks.isObject()) {
            throw RejectedException.badRequest("jwks must be a JWK Set {\"keys\": [...]} of public keys, or absent"
                    + " for an agent that signs in only through CI federation");
        }
        JWKSet set;
        try {
            set = JWKSet.parse(jwks.toString());
        } catch (ParseException e) {
            throw RejectedException.badRequest("jwks is not a valid JWK Set: " + FreeText.printable(e.getMessage()));
        }
        if (set.getKeys().isEmpty() || set.getKeys().size() > MAX_KEYS) {
            throw RejectedException.badRequest("jwks must hold 1 to " + MAX_KEYS + " keys");
        }
        List<JWK> keys = new ArrayList<>();
        Set<String> kids = new HashSet<>();
        for (JWK key : set.getKeys()) {
            String kid = key.getKeyID();
            if (kid == null || kid.isBlank() || kid.length() > 128) {
                throw RejectedException.badRequest("every key in jwks needs a kid of 1-128 characters");
            }
            if (!kid.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                // A kid is echoed in logs, audit reasons and answers: no NUL, ESC or bidi overrides.
                throw RejectedException.badRequest("a kid in jwks has control, non-ASCII or invisible characters;"
                        + " use 1-128 printable ASCII characters");
            }
            if (!kids.add(kid)) {
                throw RejectedException.badRequest("jwks has two keys with the same kid");
            }
            if (!(key instanceof ECKey) && !(key instanceof RSAKey)) {
                throw RejectedException.badRequest("keys must be EC (P-256, P-384) or RSA (2048 bits or more); "
                        + key.getKeyType().getValue() + " keys are refused");
            }
            if (key.isPrivate()) {
                throw RejectedException.badRequest("jwks holds private key material; register public keys only"
                        + " and keep the private key with the agent");
            }
            if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
                throw RejectedException.badRequest("keys in jwks must be signature keys (use: sig)");
            }
            if (key instanceof ECKey ec && !Curve.P_256.equals(ec.getCurve()) && !Curve.P_384.equals(ec.getCurve())) {
                throw RejectedException.badRequest("EC keys must be on P-256 or P-384");
            }
            if (key instanceof RSAKey rsa && rsa.size() < 2048) {
                throw RejectedException.badRequest("RSA keys must be at least 2048 bits");
            }
            Set<JWSAlgorithm> allowed = algorithmsFor(key);
            if (key.getAlgorithm() != null && !allowed.contains(key.getAlgorithm())) {
                // A key pinned to "none", or to HMAC on a public key, invites algorithm confusion.
                throw RejectedException.badRequest("key " + HeaderText.keyId(kid) + " declares alg "
                        + HeaderText.algorithm(key.getAlgorithm().getName()) + "; a key of this type may only declare "
                        + String.join(" or ", allowed.stream().map(JWSAlgorithm::getName).sorted().toList()));
            }
            keys.add(key.toPublicJWK());
        }
        return new JWKSet(keys);
    }

    /** The signature algorithms a key of this type and curve may be used with here. */
    private static Set<JWSAlgorithm> algorithmsFor(JWK key) {
        if (key instanceof ECKey ec) {
            return Set.of(Curve.P_256.equals(ec.getCurve()) ? JWSAlgorithm.ES256 : JWSAlgorithm.ES384);
        }
        return Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256);
    }
}
