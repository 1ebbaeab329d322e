package dev.stint.broker.people;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.util.CborConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticationRequest;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.RegistrationRequest;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.exception.BadChallengeException;
import com.webauthn4j.verifier.exception.BadOriginException;
import com.webauthn4j.verifier.exception.BadRpIdException;
import com.webauthn4j.verifier.exception.BadSignatureException;
import com.webauthn4j.verifier.exception.InconsistentClientDataTypeException;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import com.webauthn4j.verifier.exception.NotAllowedAlgorithmException;
import com.webauthn4j.verifier.exception.UserNotPresentException;
import com.webauthn4j.verifier.exception.UserNotVerifiedException;
import com.webauthn4j.verifier.exception.VerificationException;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks WebAuthn answers with webauthn4j against the one origin and relying-party id of the
 * people's pages and the challenge of the ceremony they answer: user verification required,
 * a signature that verifies, and a sign count that only goes up. Every failure is a rejection
 * (the answer is wrong), never a bug. Thread-safe.
 */
public final class PasskeyVerifier {

    /** The algorithms a passkey may use: ES256 (every platform), RS256 (Windows Hello). */
    static final List<PublicKeyCredentialParameters> ALGORITHMS = List.of(
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256));
    static final int MAX_CREDENTIAL_ID_BYTES = 1023;

    private final WebAuthnManager manager = WebAuthnManager.createNonStrictWebAuthnManager();
    private final CborConverter cbor = new ObjectConverter().getCborConverter();
    private final RelyingParty rp;

    public PasskeyVerifier(RelyingParty rp) {
        this.rp = Objects.requireNonNull(rp, "rp");
    }

    public RelyingParty relyingParty() {
        return rp;
    }

    /**
     * Verifies a registration ({@code navigator.credentials.create}) answering {@code ceremony}.
     *
     * @return the new passkey of the ceremony's person
     * @throws RejectedException 400 {@code passkey-rejected}, saying what did not verify
     */
    Passkey register(Ceremony ceremony, WebAuthnAnswers.Registration answer, Instant now) throws RejectedException {
        RegistrationData data;
        try {
            data = manager.verify(new RegistrationRequest(bytes(answer.attestationObject(), "attestation_object"),
                            bytes(answer.clientDataJson(), "client_data_json"), null,
                            answer.transports() == null ? null : Set.copyOf(answer.transports())),
                    new RegistrationParameters(server(ceremony), ALGORITHMS, true, true));
        } catch (RuntimeException e) {
            // Whatever webauthn4j throws on an answer (a VerificationException, a conversion or
            // buffer error on malformed bytes) is the answer's fault: a rejection, never a 500.
            throw rejected("registration", e);
        }
        AttestedCredentialData credential = data.getAttestationObject().getAuthenticatorData()
                .getAttestedCredentialData();
        if (credential == null) {
            throw rejected("registration rejected: the authenticator data holds no credential");
        }
        byte[] id = credential.getCredentialId();
        if (id.length == 0 || id.length > MAX_CREDENTIAL_ID_BYTES) {
            throw rejected("registration rejected: the credential id is empty or longer than "
                    + MAX_CREDENTIAL_ID_BYTES + " bytes");
        }
        if (!Arrays.equals(id, bytes(answer.credentialId(), "id"))) {
            throw rejected("registration rejected: id is not the credential id in the authenticator data");
        }
        return new Passkey(base64(id), ceremony.personId(), base64(cbor.writeValueAsBytes(credential.getCOSEKey())),
                credential.getAaguid().toString(), data.getAttestationObject().getAuthenticatorData().getSignCount(),
                ceremony.userHandle(), now, null);
    }

    /**
     * Verifies an assertion ({@code navigator.credentials.get}) of {@code passkey} answering
     * {@code ceremony}.
     *
     * @return the authenticator's new sign count
     * @throws RejectedException 400 {@code passkey-rejected}, saying what did not verify
     */
    long authenticate(Ceremony ceremony, Passkey passkey, WebAuthnAnswers.Assertion answer) throws RejectedException {
        return assertion(ceremony.challenge(), passkey, answer, "sign-in");
    }

    /**
     * Verifies an assertion of {@code passkey} over {@code challenge} (base64url): a signature by
     * the passkey's key, user verified, for this broker's origin and relying-party id, and a sign
     * count that went up (or stays 0 for authenticators that keep none).
     *
     * @param what what the assertion is for, in the rejection's reason ({@code "approval"})
     * @return the authenticator's new sign count
     * @throws RejectedException 400 {@code passkey-rejected}, saying what did not verify
     */
    public long assertion(String challenge, Passkey passkey, WebAuthnAnswers.Assertion answer, String what)
            throws RejectedException {
        byte[] id = bytes(answer.credentialId(), "id");
        byte[] userHandle = answer.userHandle() == null || answer.userHandle().isEmpty() ? null
                : bytes(answer.userHandle(), "user_handle");
        if (userHandle != null && !Arrays.equals(userHandle, bytes(passkey.userHandle(), "user_handle"))) {
            throw rejected(what + " rejected: the user handle is not this passkey's");
        }
        AuthenticationData data;
        try {
            COSEKey key = cbor.readValue(Base64.getUrlDecoder().decode(passkey.publicKey()), COSEKey.class);
            CredentialRecordImpl record = new CredentialRecordImpl(new NoneAttestationStatement(), true, null, null,
                    passkey.signCount(), new AttestedCredentialData(new AAGUID(passkey.aaguid()), id, key),
                    null, null, null, null);
            data = manager.verify(new AuthenticationRequest(id, userHandle,
                            bytes(answer.authenticatorData(), "authenticator_data"),
                            bytes(answer.clientDataJson(), "client_data_json"), null,
                            bytes(answer.signature(), "signature")),
                    new AuthenticationParameters(server(challenge), record, List.of(id), true, true));
        } catch (RuntimeException e) {
            // Whatever webauthn4j throws on an answer (a VerificationException, a conversion or
            // buffer error on malformed bytes) is the answer's fault: a rejection, never a 500.
            throw rejected(what, e);
        }
        long count = data.getAuthenticatorData().getSignCount();
        if ((count != 0 || passkey.signCount() != 0) && count <= passkey.signCount()) {
            throw rejected(what + " rejected: the sign count did not go up (" + count + " after "
                    + passkey.signCount() + "); the passkey may have been copied");
        }
        return count;
    }

    private ServerProperty server(Ceremony ceremony) {
        return server(ceremony.challenge());
    }

    private ServerProperty server(String challenge) {
        return ServerProperty.builder()
                .origin(new Origin(rp.origin()))
                .rpId(rp.id())
                .challenge(new DefaultChallenge(Base64.getUrlDecoder().decode(challenge)))
                .build();
    }

    public static byte[] bytes(String base64url, String field) throws RejectedException {
        if (base64url == null || base64url.isEmpty()) {
            throw RejectedException.badRequest(field + " is required");
        }
        try {
            return Base64.getUrlDecoder().decode(base64url);
        } catch (IllegalArgumentException e) {
            throw RejectedException.badRequest(field + " must be base64url");
        }
    }

    public static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static RejectedException rejected(String reason) {
        return new RejectedException(400, ProblemType.PASSKEY_REJECTED, reason);
    }

    /** What did not verify, in words: webauthn4j's own messages may quote the client's input. */
    private static RejectedException rejected(String ceremony, Exception e) {
        String why;
        if (e instanceof BadChallengeException) {
            why = "the challenge is not the one this ceremony was given";
        } else if (e instanceof BadOriginException) {
            why = "the origin is not " + "this broker's page origin";
        } else if (e instanceof BadRpIdException) {
            why = "the relying-party id is not this broker's";
        } else if (e instanceof UserNotVerifiedException) {
            why = "user verification is required (a PIN or biometric on the authenticator)";
        } else if (e instanceof UserNotPresentException) {
            why = "user presence is required";
        } else if (e instanceof BadSignatureException) {
            why = "the signature does not verify";
        } else if (e instanceof MaliciousCounterValueException) {
            why = "the sign count did not go up; the passkey may have been copied";
        } else if (e instanceof NotAllowedAlgorithmException) {
            why = "the key's algorithm is not ES256 or RS256";
        } else if (e instanceof InconsistentClientDataTypeException) {
            why = "the client data is of the wrong type";
        } else if (e instanceof VerificationException) {
            why = "the answer does not verify";
        } else {
            why = "the answer is malformed";
        }
        return rejected(ceremony + " rejected: " + why);
    }
}
