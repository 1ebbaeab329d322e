package dev.stint.broker.deployment;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * The deployment's {@code sign_in.oidc} section: people may sign in at {@code /ui/} through an
 * OpenID Connect provider (authorization code with PKCE), as well as with a passkey. The issuer is
 * https; plain http is accepted only on a loopback host (127.0.0.0/8, [::1], localhost), for tests
 * and local trials, as {@code federation.allow_http_issuers} does.
 *
 * <pre>
 * sign_in:
 *   oidc:
 *     issuer: https://login.example.com
 *     client_id: stint
 *     client_secret_file: /etc/stint/oidc.secret   # or client_secret_env: NAME
 *     person_claim: email                          # optional, default email
 * </pre>
 *
 * @param personClaim the ID token claim (a string) matched, case-insensitively, to a person's email
 */
public record OidcSignInSettings(String issuer, String clientId, String clientSecret, String personClaim) {

    public static final String DEFAULT_PERSON_CLAIM = "email";

    public OidcSignInSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(personClaim, "personClaim");
    }

    /** Never the client secret. */
    @Override
    public String toString() {
        return "OidcSignInSettings[issuer=" + issuer + ", clientId=" + clientId + ", personClaim=" + personClaim + "]";
    }

    /**
     * Why {@code issuer} cannot be used, or {@code null} when it can: an https URL, or an http URL
     * on a loopback host, with a host and no user info, query or fragment.
     */
    public static String refusal(String issuer) {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (URISyntaxException e) {
            return "is not a URL";
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "must be an https URL with a host and no user info, query or fragment";
        }
        if ("https".equals(uri.getScheme())) {
            return null;
        }
        if (!"http".equals(uri.getScheme())) {
            return "must be an https URL";
        }
        return FederationSettings.refusal(issuer) == null ? null
                : "must be an https URL (plain http is allowed on loopback only: 127.0.0.1, [::1], localhost)";
    }
}
