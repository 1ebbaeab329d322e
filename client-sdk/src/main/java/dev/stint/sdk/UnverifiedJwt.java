package dev.stint.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Optional;

/**
 * The claims of a compact JWS read <em>without</em> checking its signature. The SDK is not the
 * verifier of task tokens (resource servers are); it only makes sure the broker handed back a
 * signed JWT that says what the answer around it says. Nothing read here is trusted beyond that.
 */
final class UnverifiedJwt {

    private UnverifiedJwt() {
    }

    /**
     * The payload of {@code token} as a JSON object.
     *
     * @throws BrokerUnavailableException (garbage) when the token is not three base64url parts
     *     with a JSON header naming a signature algorithm, a JSON object payload and a signature;
     *     the message never quotes the token
     */
    static ObjectNode claims(String token, String field, String what) throws BrokerUnavailableException {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[2].isEmpty()) {
            throw notSignedJwt(field, what);
        }
        ObjectNode header = decode(parts[0]).orElseThrow(() -> notSignedJwt(field, what));
        String alg = Json.optionalText(header, "alg");
        if (alg == null || alg.isEmpty() || "none".equalsIgnoreCase(alg)) {
            throw notSignedJwt(field, what);
        }
        return decode(parts[1]).orElseThrow(() -> notSignedJwt(field, what));
    }

    private static Optional<ObjectNode> decode(String part) {
        if (part.isEmpty()) {
            return Optional.empty();
        }
        byte[] json;
        try {
            json = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // The strict mapper: duplicate claims are ambiguous, so they make the token garbage.
        return Json.tryParseObject(json);
    }

    private static BrokerUnavailableException notSignedJwt(String field, String what) {
        return Json.garbage(what, "field '" + field + "' is not a signed JWT");
    }
}
