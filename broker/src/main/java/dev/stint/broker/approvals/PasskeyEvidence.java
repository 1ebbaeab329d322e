package dev.stint.broker.approvals;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stint.broker.people.Passkey;
import dev.stint.broker.people.RelyingParty;
import dev.stint.broker.people.WebAuthnAnswers;

/**
 * Everything needed to re-verify an approval offline, with any WebAuthn library or plain JCA:
 * recompute the digest from the request's content, the challenge from the digest and the nonce
 * ({@link ApprovalDigest#challenge}), check that {@code client_data_json} names that challenge,
 * type {@code webauthn.get} and the origin, that {@code authenticator_data} hashes the relying
 * party id and has the user-verified flag, and that {@code signature} verifies over
 * {@code authenticator_data || SHA-256(client_data_json)} with {@code public_key} (COSE).
 * Binary values are base64url.
 */
public record PasskeyEvidence(
        @JsonProperty("method") String method,
        @JsonProperty("person_id") String personId,
        @JsonProperty("credential_id") String credentialId,
        @JsonProperty("public_key") String publicKey,
        @JsonProperty("rp_id") String rpId,
        @JsonProperty("origin") String origin,
        @JsonProperty("digest") String digest,
        @JsonProperty("nonce") String nonce,
        @JsonProperty("challenge") String challenge,
        @JsonProperty("client_data_json") String clientDataJson,
        @JsonProperty("authenticator_data") String authenticatorData,
        @JsonProperty("signature") String signature,
        @JsonProperty("user_handle") String userHandle,
        @JsonProperty("sign_count") long signCount) {

    static PasskeyEvidence of(Approval approval, ApprovalChallenge ceremony, Passkey passkey,
            WebAuthnAnswers.Assertion answer, RelyingParty rp, long signCount) {
        return new PasskeyEvidence("passkey", passkey.personId(), passkey.credentialId(), passkey.publicKey(),
                rp.id(), rp.origin(), approval.digest().text(), ceremony.nonce(),
                approval.digest().challenge(ceremony.nonce()), answer.clientDataJson(), answer.authenticatorData(),
                answer.signature(), answer.userHandle(), signCount);
    }
}
