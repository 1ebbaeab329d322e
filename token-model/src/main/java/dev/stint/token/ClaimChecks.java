package dev.stint.token;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/** The standard claim rules for task tokens. Each factory returns one small, immutable check. */
public final class ClaimChecks {

    /** Clock skew tolerated on {@code exp}, {@code nbf} and {@code iat} unless told otherwise. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);

    /** The largest leeway accepted: more would quietly extend every token's life. */
    public static final Duration MAX_LEEWAY = Duration.ofMinutes(2);

    /** Claims every task token carries; a token missing one is rejected. */
    public static final List<String> REQUIRED = List.of(
            "iss", "sub", "aud", "iat", "nbf", "exp", "jti",
            TaskClaims.TASK_ID, TaskClaims.TIER, TaskClaims.SCOPE, TaskClaims.DEADLINE, TaskClaims.OWNER);

    private ClaimChecks() {
    }

    public static ClaimCheck requiredClaims() {
        return (claims, now) -> {
            List<String> missing = new ArrayList<>();
            for (String name : REQUIRED) {
                if (claims.getClaim(name) == null) {
                    missing.add(name);
                }
            }
            if (!missing.isEmpty()) {
                throw new TokenRejectedException("required claims missing: " + String.join(", ", new TreeSet<>(missing)));
            }
        };
    }

    public static ClaimCheck issuer(String expected) {
        Objects.requireNonNull(expected, "expected");
        return (claims, now) -> {
            if (!expected.equals(claims.getIssuer())) {
                throw new TokenRejectedException("claim iss is not the expected issuer");
            }
        };
    }

    /** The token's {@code aud} must contain {@code expected}. */
    public static ClaimCheck audience(String expected) {
        Objects.requireNonNull(expected, "expected");
        return (claims, now) -> {
            List<String> audience = claims.getAudience();
            if (audience == null || !audience.contains(expected)) {
                throw new TokenRejectedException("claim aud does not include " + expected);
            }
        };
    }

    /**
     * {@code exp} in the future and {@code nbf} and {@code iat} not in the future, each with
     * {@code leeway} for clock skew.
     */
    public static ClaimCheck lifetime(Duration leeway) {
        Objects.requireNonNull(leeway, "leeway");
        if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
            throw new IllegalArgumentException("leeway must be between 0 and " + MAX_LEEWAY);
        }
        return (claims, now) -> {
            Date exp = claims.getExpirationTime();
            if (exp == null || !now.isBefore(exp.toInstant().plus(leeway))) {
                throw new TokenRejectedException("claim exp has passed");
            }
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && now.plus(leeway).isBefore(nbf.toInstant())) {
                throw new TokenRejectedException("claim nbf is in the future");
            }
            Date iat = claims.getIssueTime();
            if (iat != null && now.plus(leeway).isBefore(iat.toInstant())) {
                throw new TokenRejectedException("claim iat is in the future");
            }
        };
    }

    /** {@code exp <= deadline}: no token may outlive its task. */
    public static ClaimCheck expiryWithinDeadline() {
        return (claims, now) -> {
            Instant deadline = deadline(claims);
            Date exp = claims.getExpirationTime();
            if (exp == null || exp.toInstant().isAfter(deadline)) {
                throw new TokenRejectedException("claim exp is after the task deadline");
            }
            if (!now.isBefore(deadline)) {
                throw new TokenRejectedException("task deadline has passed");
            }
        };
    }

    /** The verifier is pinned to one tier; tokens of any other tier are rejected. */
    public static ClaimCheck tier(Tier expected) {
        Objects.requireNonNull(expected, "expected");
        return (claims, now) -> {
            String tier = stringClaim(claims, TaskClaims.TIER);
            if (!expected.name().equals(tier)) {
                throw new TokenRejectedException("token is for tier " + printable(tier)
                        + ", this verifier accepts only tier " + expected.name());
            }
        };
    }

    /** Every one of {@code required} must be in the token's {@code scope}. */
    public static ClaimCheck requiredScopes(Collection<Scope> required) {
        List<Scope> wanted = Scope.canonical(required);
        return (claims, now) -> {
            List<Scope> granted;
            try {
                granted = Scope.parseList(stringClaim(claims, TaskClaims.SCOPE));
            } catch (IllegalArgumentException e) {
                throw new TokenRejectedException("claim scope malformed: " + e.getMessage());
            }
            List<String> missing = new ArrayList<>();
            for (Scope scope : wanted) {
                if (!granted.contains(scope)) {
                    missing.add(scope.toString());
                }
            }
            if (!missing.isEmpty()) {
                throw new TokenRejectedException("claim scope lacks " + String.join(" ", missing));
            }
        };
    }

    private static Instant deadline(JWTClaimsSet claims) throws TokenRejectedException {
        try {
            Long seconds = claims.getLongClaim(TaskClaims.DEADLINE);
            if (seconds == null) {
                throw new TokenRejectedException("claim deadline is missing");
            }
            return Instant.ofEpochSecond(seconds);
        } catch (ParseException e) {
            throw new TokenRejectedException("claim deadline is not a number");
        } catch (java.time.DateTimeException e) {
            throw new TokenRejectedException("claim deadline is out of range");
        }
    }

    private static String stringClaim(JWTClaimsSet claims, String name) throws TokenRejectedException {
        try {
            String value = claims.getStringClaim(name);
            if (value == null) {
                throw new TokenRejectedException("claim " + name + " is missing");
            }
            return value;
        } catch (ParseException e) {
            throw new TokenRejectedException("claim " + name + " is not a string");
        }
    }

    /** Echoes a claim value into a message only when it is short and plain. */
    private static String printable(String value) {
        return Tier.parseOrNull(value) != null ? value : "(malformed)";
    }
}
