package dev.stint.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.sdk.AgentKeys;

/**
 * Start-up work done on the second core while the first parses the command line, builds the HTTP
 * client and asks the broker for its metadata: the SDK's JSON reader, and one ES256 signature
 * with a throwaway key, so that the JDK's elliptic-curve code is loaded and compiled by the time
 * the agent's client assertion is signed. Nothing it makes leaves the thread.
 */
final class WarmUp {

    private WarmUp() {
    }

    static void start() {
        Thread thread = new Thread(WarmUp::run, "stint-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void run() {
        try {
            Class.forName("dev.stint.sdk.Json", true, WarmUp.class.getClassLoader());
            ECKey throwaway = AgentKeys.generate();
            new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), new JWTClaimsSet.Builder().subject("warm-up").build())
                    .sign(new ECDSASigner(throwaway));
        } catch (ClassNotFoundException | JOSEException | RuntimeException e) {
            // Only time is lost: the main thread does the same work when it needs it.
        }
    }
}
