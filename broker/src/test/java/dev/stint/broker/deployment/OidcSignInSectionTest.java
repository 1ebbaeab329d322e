package dev.stint.broker.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code sign_in.oidc} section: read strictly, errors at their line, the secret never inline. */
class OidcSignInSectionTest {

    private static final String LABEL = "deploy.yaml";
    private static final String SECRET = "client-Secret-42ab";

    @TempDir
    static Path dir;

    @BeforeAll
    static void secretFile() throws Exception {
        Files.writeString(dir.resolve("oidc.secret"), SECRET + "\n", StandardCharsets.UTF_8);
    }

    private static Deployment parse(String text) throws DeploymentFileException {
        return DeploymentFile.parse(text, LABEL, Map.of("OIDC_SECRET", SECRET), dir);
    }

    @Test
    void aCompleteSectionIsRead() throws Exception {
        Deployment deployment = parse("""
                sign_in:
                  oidc:
                    issuer: https://login.example.com
                    client_id: stint
                    client_secret_file: oidc.secret
                """);
        OidcSignInSettings oidc = deployment.oidcSignIn().orElseThrow();
        assertThat(oidc.issuer()).isEqualTo("https://login.example.com");
        assertThat(oidc.clientId()).isEqualTo("stint");
        assertThat(oidc.clientSecret()).isEqualTo(SECRET);
        assertThat(oidc.personClaim()).isEqualTo("email");
        assertThat(oidc.toString()).doesNotContain(SECRET);
    }

    @Test
    void theSecretMayComeFromTheEnvironmentAndTheClaimBeChosen() throws Exception {
        OidcSignInSettings oidc = parse("""
                sign_in:
                  oidc:
                    issuer: http://127.0.0.1:8080/default
                    client_id: stint
                    client_secret_env: OIDC_SECRET
                    person_claim: preferred_username
                """).oidcSignIn().orElseThrow();
        assertThat(oidc.clientSecret()).isEqualTo(SECRET);
        assertThat(oidc.personClaim()).isEqualTo("preferred_username");
    }

    @Test
    void withoutTheSectionThereIsNoSingleSignOn() throws Exception {
        assertThat(parse("federation:\n  allow_http_issuers: []\n").oidcSignIn()).isEmpty();
    }

    @Test
    void anInlineClientSecretIsRefusedAtItsLine() {
        assertThatThrownBy(() -> parse("""
                sign_in:
                  oidc:
                    issuer: https://login.example.com
                    client_id: stint
                    client_secret: hunter2-inline
                """))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageStartingWith(LABEL + ":5:5: sign_in.oidc.client_secret: never write the client secret here")
                .hasMessageNotContaining("hunter2-inline");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://login.example.com", "http://10.0.0.1:8080", "ftp://login.example.com",
            "https://user@login.example.com", "not a url"})
    void anIssuerThatIsNotHttpsOrLoopbackHttpIsRefused(String issuer) {
        assertThatThrownBy(() -> parse("sign_in:\n  oidc:\n    issuer: \"" + issuer + "\"\n    client_id: stint\n"
                + "    client_secret_env: OIDC_SECRET\n"))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageStartingWith(LABEL + ":3:13: sign_in.oidc.issuer: ");
    }

    @Test
    void anUnknownKeyIsRefusedAtItsLine() {
        assertThatThrownBy(() -> parse("""
                sign_in:
                  oidc:
                    issuer: https://login.example.com
                    client_id: stint
                    client_secret_env: OIDC_SECRET
                    scopes: openid
                """))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageStartingWith(LABEL + ":6:5: sign_in.oidc.scopes: unknown key");
    }

    @Test
    void anUnknownWayToSignInIsRefused() {
        assertThatThrownBy(() -> parse("sign_in:\n  saml: {}\n"))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageStartingWith(LABEL + ":2:3: sign_in.saml: unknown key");
    }

    @Test
    void aMissingSecretOrClientIdIsNamed() {
        assertThatThrownBy(() -> parse("sign_in:\n  oidc:\n    issuer: https://login.example.com\n"
                + "    client_id: stint\n"))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageContaining("sign_in.oidc: the key 'client_secret_file' or 'client_secret_env' is required");
        assertThatThrownBy(() -> parse("sign_in:\n  oidc:\n    issuer: https://login.example.com\n"
                + "    client_secret_env: OIDC_SECRET\n"))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageContaining("client_id");
    }
}
