package dev.stint.broker.people;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What the people's pages send back from the browser's WebAuthn calls, binary values in
 * base64url. Read strictly, like every body.
 */
public final class WebAuthnAnswers {

    private WebAuthnAnswers() {
    }

    /** {@code POST /ui/enroll/options}: the enrollment link's secret. */
    public record EnrollmentStart(@JsonProperty("token") String token) {
    }

    /** {@code POST /ui/enroll/finish}. */
    public record EnrollmentFinish(
            @JsonProperty("token") String token,
            @JsonProperty("ceremony_id") String ceremonyId,
            @JsonProperty("credential") Registration credential) {
    }

    /** {@code POST /ui/sign-in/finish}. */
    public record SignInFinish(
            @JsonProperty("ceremony_id") String ceremonyId,
            @JsonProperty("credential") Assertion credential) {
    }

    /** A new credential ({@code navigator.credentials.create}). */
    public record Registration(
            @JsonProperty("id") String credentialId,
            @JsonProperty("client_data_json") String clientDataJson,
            @JsonProperty("attestation_object") String attestationObject,
            @JsonProperty("transports") List<String> transports) {
    }

    /** An assertion ({@code navigator.credentials.get}). */
    public record Assertion(
            @JsonProperty("id") String credentialId,
            @JsonProperty("client_data_json") String clientDataJson,
            @JsonProperty("authenticator_data") String authenticatorData,
            @JsonProperty("signature") String signature,
            @JsonProperty("user_handle") String userHandle) {
    }
}
