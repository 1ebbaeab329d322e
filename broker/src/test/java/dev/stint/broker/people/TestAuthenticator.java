package dev.stint.broker.people;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.extension.authenticator.AuthenticationExtensionAuthenticatorOutput;
import com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * A passkey authenticator in software, for tests without a browser: a P-256 key, a credential id
 * and a counter, answering WebAuthn ceremonies the way a browser would send them (client data,
 * authenticator data, a "none" attestation, ES256 signatures). Each answer can be bent to test
 * one attack: another origin, another challenge, no user verification, a counter that goes back.
 */
public final class TestAuthenticator {

    private static final ObjectConverter CONVERTER = new ObjectConverter();

    private final KeyPair keys;
    private final byte[] credentialId = new byte[16];
    private byte[] userHandle;
    private long counter;

    public TestAuthenticator() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        new SecureRandom().nextBytes(credentialId);
    }

    /** How an answer is made: the values a browser would put in it. */
    public record Made(String origin, String rpId, String challenge, boolean userVerified) {
    }

    public String credentialId() {
        return b64(credentialId);
    }

    public void setCounter(long value) {
        counter = value;
    }

    /** The {@code credential} member of {@code /ui/enroll/finish}, as JSON. */
    public String registration(Made made, String userHandleB64) {
        userHandle = Base64.getUrlDecoder().decode(userHandleB64);
        AttestedCredentialData credential = new AttestedCredentialData(AAGUID.ZERO, credentialId,
                EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
        AuthenticatorData<RegistrationExtensionAuthenticatorOutput> data = new AuthenticatorData<>(
                sha256(made.rpId().getBytes(StandardCharsets.UTF_8)), flags(made, true), counter, credential);
        byte[] attestation = new AttestationObjectConverter(CONVERTER).convertToBytes(
                new AttestationObject(data, new NoneAttestationStatement()));
        return "{\"id\":\"" + credentialId() + "\",\"client_data_json\":\"" + b64(clientData("webauthn.create", made))
                + "\",\"attestation_object\":\"" + b64(attestation) + "\",\"transports\":[\"internal\"]}";
    }

    /** The {@code credential} member of {@code /ui/sign-in/finish}, as JSON; the counter goes up first. */
    public String assertion(Made made) {
        counter++;
        AuthenticatorData<AuthenticationExtensionAuthenticatorOutput> data = new AuthenticatorData<>(
                sha256(made.rpId().getBytes(StandardCharsets.UTF_8)), flags(made, false), counter);
        byte[] authenticatorData = new AuthenticatorDataConverter(CONVERTER).convert(data);
        byte[] clientData = clientData("webauthn.get", made);
        byte[] signature;
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(authenticatorData);
            signer.update(sha256(clientData));
            signature = signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return "{\"id\":\"" + credentialId() + "\",\"client_data_json\":\"" + b64(clientData)
                + "\",\"authenticator_data\":\"" + b64(authenticatorData) + "\",\"signature\":\"" + b64(signature)
                + "\",\"user_handle\":\"" + b64(userHandle) + "\"}";
    }

    private static byte flags(Made made, boolean attested) {
        int flags = AuthenticatorData.BIT_UP;
        if (made.userVerified()) {
            flags |= AuthenticatorData.BIT_UV;
        }
        if (attested) {
            flags |= AuthenticatorData.BIT_AT;
        }
        return (byte) flags;
    }

    private static byte[] clientData(String type, Made made) {
        return ("{\"type\":\"" + type + "\",\"challenge\":\"" + made.challenge() + "\",\"origin\":\"" + made.origin()
                + "\",\"crossOrigin\":false}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
