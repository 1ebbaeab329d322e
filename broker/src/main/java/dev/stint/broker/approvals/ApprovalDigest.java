package dev.stint.broker.approvals;

import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * What an approval is bound to: a SHA-256 over exactly what was asked (task id, agent, owner,
 * tier, scopes, purpose, deadline), each field prefixed by its length in UTF-8 bytes so that no
 * two requests serialise alike.
 * The passkey assertion an approver gives signs a challenge derived from it, so an approval can
 * be re-verified offline against the very task it approved, and cannot be moved to another.
 */
public record ApprovalDigest(byte[] value) {

    /** Names the format, so that a later change of the fields can never collide with this one. */
    static final String DOMAIN = "stint-approval-v1";
    static final String CHALLENGE_DOMAIN = "stint-approval-challenge-v1";

    public ApprovalDigest {
        if (value.length != 32) {
            throw new IllegalArgumentException("an approval digest is 32 bytes");
        }
        value = value.clone();
    }

    public static ApprovalDigest of(TaskId task, AgentId agent, String owner, Tier tier, List<Scope> scopes,
            String purpose, TaskDeadline deadline) {
        StringBuilder canonical = new StringBuilder(256);
        field(canonical, DOMAIN);
        field(canonical, task.value());
        field(canonical, agent.value());
        field(canonical, owner);
        field(canonical, tier.name());
        field(canonical, Scope.join(Scope.canonical(scopes)));
        field(canonical, purpose);
        field(canonical, deadline.at().toString());
        try {
            return new ApprovalDigest(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /**
     * The WebAuthn challenge an approver's passkey signs: SHA-256 over this digest and a
     * server-chosen {@code nonce} (single use, so every approval is a fresh assertion), base64url.
     * Anyone holding the request's content and the nonce can recompute it.
     */
    public String challenge(String nonce) {
        StringBuilder canonical = new StringBuilder(128);
        field(canonical, CHALLENGE_DOMAIN);
        field(canonical, text());
        field(canonical, nonce);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** base64url without padding: the form stored and shown. */
    public String text() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    public static ApprovalDigest parse(String text) {
        return new ApprovalDigest(Base64.getUrlDecoder().decode(text));
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ApprovalDigest digest && MessageDigest.isEqual(value, digest.value);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "ApprovalDigest[" + text() + "]";
    }

    /** {@code LENGTH:VALUE|}, the length in UTF-8 bytes, as any language counts them alike. */
    private static void field(StringBuilder out, String value) {
        out.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value).append('|');
    }
}
