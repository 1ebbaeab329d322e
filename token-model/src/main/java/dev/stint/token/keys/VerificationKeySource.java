package dev.stint.token.keys;

import com.nimbusds.jose.jwk.JWK;
import dev.stint.token.KeyUnavailableException;
import java.util.List;

/** Which public keys may verify a token signed under {@code kid}? */
@FunctionalInterface
public interface VerificationKeySource {

    /**
     * @return the public keys with that kid; empty when none is known (the token is then rejected)
     * @throws KeyUnavailableException when the keys could not be obtained (answer 503, not 401)
     */
    List<JWK> keysFor(String kid) throws KeyUnavailableException;
}
