package dev.stint.token;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;

/** One rule about the claims of a token whose signature has already been verified. */
@FunctionalInterface
public interface ClaimCheck {

    /** @throws TokenRejectedException naming the claim at fault and why */
    void check(JWTClaimsSet claims, Instant now) throws TokenRejectedException;
}
