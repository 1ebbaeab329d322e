package dev.stint.token.keys;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Picks the fastest ECDSA provider for the running JDK. Measured here: on JDK 17, Bouncy Castle
 * signs ES256 about twice and verifies about four times as fast as SunEC; from JDK 21 on, the
 * JDK's own provider is the faster one. Returns {@code null} to mean "the JDK default".
 */
public final class JcaProviders {

    private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

    private JcaProviders() {
    }

    public static Provider ecdsa() {
        return Runtime.version().feature() < 21 ? BOUNCY_CASTLE : null;
    }
}
