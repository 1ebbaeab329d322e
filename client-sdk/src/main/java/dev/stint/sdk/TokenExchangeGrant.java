package dev.stint.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * RFC 8693 token exchange of a CI job's OIDC token for an agent token. No client authentication
 * is sent: the subject token is the proof. A fresh subject token is taken from the source for
 * every request, since the broker accepts each one once.
 */
final class TokenExchangeGrant implements AgentGrant {

    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    /** A compact JWS: three base64url parts. Anything else is not worth spending a request on. */
    private static final Pattern COMPACT_JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private final SubjectTokenSource source;

    TokenExchangeGrant(SubjectTokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public String what() {
        return "token exchange";
    }

    @Override
    public Map<String, String> form(AgentTokens.Metadata metadata, Instant now)
            throws BrokerRejectedException, BrokerUnavailableException {
        if (metadata.grantTypes() != null && !metadata.grantTypes().contains(GRANT_TYPE)) {
            // Checked before a subject token is taken: some platforms give only one per job.
            throw new BrokerRejectedException(400, "unsupported_grant_type", "the broker at " + metadata.issuer()
                    + " does not offer token exchange (grant_types_supported in its metadata lacks " + GRANT_TYPE
                    + "); upgrade the broker, or authenticate with the agent's key");
        }
        String subjectToken;
        try {
            subjectToken = source.subjectToken();
        } catch (IOException e) {
            throw new SubjectTokenUnavailableException(what() + " failed: no subject token: "
                    + BrokerHttp.readable(String.valueOf(e.getMessage())), e);
        }
        if (subjectToken == null || !COMPACT_JWT.matcher(subjectToken).matches()) {
            throw new SubjectTokenUnavailableException(what() + " failed: no subject token: the source gave "
                    + (subjectToken == null || subjectToken.isEmpty() ? "nothing" : "something that is not a JWT"),
                    null);
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT_TYPE);
        form.put("subject_token", subjectToken);
        form.put("subject_token_type", JWT_TYPE);
        return form;
    }

    @Override
    public void checkAnswer(ObjectNode answer) throws BrokerUnavailableException {
        if (!ACCESS_TOKEN_TYPE.equals(Json.text(answer, "issued_token_type", what()))) {
            throw Json.garbage(what(), "field 'issued_token_type' is not " + ACCESS_TOKEN_TYPE);
        }
    }
}
