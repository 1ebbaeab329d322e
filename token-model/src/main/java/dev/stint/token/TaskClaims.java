package dev.stint.token;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * The claims of one task token, as typed values. A {@code TaskClaims} can only exist if its
 * expiry is not after the task's deadline and not before its issue time, so a minter handed one
 * cannot produce a token that outlives its task.
 *
 * @param approvals ids of the approvals that allowed guarded scopes; empty when none were needed
 */
public record TaskClaims(
        String issuer,
        AgentId subject,
        String audience,
        Instant issuedAt,
        Instant notBefore,
        Instant expiresAt,
        String jwtId,
        TaskId taskId,
        Tier tier,
        List<Scope> scopes,
        TaskDeadline deadline,
        String owner,
        List<String> approvals) {

    public static final String TASK_ID = "task_id";
    public static final String TIER = "tier";
    public static final String SCOPE = "scope";
    public static final String DEADLINE = "deadline";
    public static final String OWNER = "owner";
    public static final String APPROVALS = "approvals";

    public TaskClaims {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(audience, "audience");
        // JWT times are whole seconds: hold them so here, so the claims checked below are the
        // claims the token will carry (rounding down never moves exp past the deadline).
        issuedAt = Objects.requireNonNull(issuedAt, "issuedAt").truncatedTo(ChronoUnit.SECONDS);
        notBefore = Objects.requireNonNull(notBefore, "notBefore").truncatedTo(ChronoUnit.SECONDS);
        expiresAt = Objects.requireNonNull(expiresAt, "expiresAt").truncatedTo(ChronoUnit.SECONDS);
        Objects.requireNonNull(jwtId, "jwtId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(owner, "owner");
        scopes = Scope.canonical(Objects.requireNonNull(scopes, "scopes"));
        approvals = List.copyOf(Objects.requireNonNull(approvals, "approvals"));
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a task token needs at least one scope");
        }
        if (expiresAt.isAfter(deadline.at())) {
            throw new IllegalArgumentException("exp must not be after the task deadline");
        }
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("exp must be after iat");
        }
        if (notBefore.isAfter(expiresAt)) {
            throw new IllegalArgumentException("nbf must not be after exp");
        }
    }

    /** The JWT claims set; times are whole seconds as JWT requires. */
    public JWTClaimsSet toClaimsSet() {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject.value())
                .audience(audience)
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(notBefore))
                .expirationTime(Date.from(expiresAt))
                .jwtID(jwtId)
                .claim(TASK_ID, taskId.value())
                .claim(TIER, tier.name())
                .claim(SCOPE, Scope.join(scopes))
                .claim(DEADLINE, deadline.at().getEpochSecond())
                .claim(OWNER, owner);
        if (!approvals.isEmpty()) {
            builder.claim(APPROVALS, approvals);
        }
        return builder.build();
    }

    /**
     * Reads typed claims from a verified claims set.
     *
     * @throws TokenRejectedException naming the first claim that is missing or malformed
     */
    static TaskClaims fromClaimsSet(JWTClaimsSet claims) throws TokenRejectedException {
        try {
            List<String> audiences = claims.getAudience();
            if (audiences.size() != 1) {
                throw new TokenRejectedException("claim aud must name exactly one audience");
            }
            Long deadlineSeconds = claims.getLongClaim(DEADLINE);
            List<String> approvals = claims.getStringListClaim(APPROVALS);
            return new TaskClaims(
                    required(claims.getIssuer(), "iss"),
                    new AgentId(required(claims.getSubject(), "sub")),
                    audiences.get(0),
                    required(claims.getIssueTime(), "iat").toInstant(),
                    required(claims.getNotBeforeTime(), "nbf").toInstant(),
                    required(claims.getExpirationTime(), "exp").toInstant(),
                    required(claims.getJWTID(), "jti"),
                    new TaskId(required(claims.getStringClaim(TASK_ID), TASK_ID)),
                    new Tier(required(claims.getStringClaim(TIER), TIER)),
                    Scope.parseList(required(claims.getStringClaim(SCOPE), SCOPE)),
                    new TaskDeadline(Instant.ofEpochSecond(required(deadlineSeconds, DEADLINE))),
                    required(claims.getStringClaim(OWNER), OWNER),
                    approvals == null ? List.of() : approvals);
        } catch (ParseException | IllegalArgumentException | DateTimeException e) {
            throw new TokenRejectedException("claims malformed: " + e.getMessage());
        }
    }

    private static <T> T required(T value, String claim) throws TokenRejectedException {
        if (value == null) {
            throw new TokenRejectedException("claim " + claim + " is missing");
        }
        return value;
    }
}
