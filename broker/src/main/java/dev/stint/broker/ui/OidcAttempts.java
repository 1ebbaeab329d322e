package dev.stint.broker.ui;

import dev.stint.broker.tokens.OpaqueTokens;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Single sign-on attempts under way: each has a random {@code state} (kept here only as its hash),
 * a {@code nonce} and a PKCE verifier, lives {@link #LIFE} and is spent by the first callback that
 * names it. Held in this broker's memory: the callback must come back to the broker that started
 * it (a restart means signing in again), and at most {@link #MAX} are kept, so that a flood of
 * starts cannot exhaust memory.
 */
final class OidcAttempts {

    static final Duration LIFE = Duration.ofMinutes(10);
    static final int MAX = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a callback needs: never shown to the browser except the state and challenge. */
    record Attempt(String state, String nonce, String verifier, String browserHash, Instant expiresAt) {

        /** The PKCE S256 challenge of the verifier. */
        String challenge() {
            return base64(sha256(verifier));
        }
    }

    private final Map<String, Attempt> byStateHash = new ConcurrentHashMap<>();
    private final Clock clock;

    OidcAttempts(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A new attempt, bound to the browser that holds {@code browser} (a random value in its own
     * cookie), so that a callback link made for one browser does nothing in another (login CSRF).
     * Ended attempts are dropped first.
     */
    Attempt start(String browser) {
        Instant now = clock.instant();
        byStateHash.values().removeIf(a -> !now.isBefore(a.expiresAt()));
        if (byStateHash.size() >= MAX) {
            throw new IllegalStateException("too many sign-ins under way");
        }
        Attempt attempt = new Attempt(random(), random(), random() + random(),
                OpaqueTokens.hash(browser), now.plus(LIFE));
        byStateHash.put(OpaqueTokens.hash(attempt.state()), attempt);
        return attempt;
    }

    /**
     * The attempt {@code state} names, spent now; empty when unknown, spent already, ended, or
     * started by another browser than the holder of {@code browser}.
     */
    Optional<Attempt> spend(String state, String browser) {
        if (state == null || state.isEmpty() || state.length() > 200 || browser == null) {
            return Optional.empty();
        }
        Attempt attempt = byStateHash.remove(OpaqueTokens.hash(state));
        return attempt == null || !clock.instant().isBefore(attempt.expiresAt())
                || !MessageDigest.isEqual(attempt.browserHash().getBytes(StandardCharsets.US_ASCII),
                        OpaqueTokens.hash(browser).getBytes(StandardCharsets.US_ASCII)) ? Optional.empty()
                : Optional.of(attempt);
    }

    static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return base64(bytes);
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
