package dev.stint.broker.deployment;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * The deployment's {@code federation} section: the CI token issuers the broker may reach over
 * plain http, for tests and local trials. Only loopback addresses qualify; every other issuer's
 * discovery document and keys are fetched over https.
 *
 * <pre>
 * federation:
 *   allow_http_issuers: [http://127.0.0.1:8099]
 * </pre>
 */
public record FederationSettings(Set<String> allowHttpIssuers) {

    public static final FederationSettings NONE = new FederationSettings(Set.of());

    public FederationSettings {
        allowHttpIssuers = Set.copyOf(allowHttpIssuers);
    }

    /** Whether an issuer URL may be reached: https always, http only when listed here. */
    public boolean allows(String issuer) {
        return issuer.startsWith("https://") || allowHttpIssuers.contains(issuer);
    }

    /**
     * Why {@code issuer} may not be listed, or {@code null} when it may: an http URL on a loopback
     * host (127.0.0.0/8, ::1 or localhost), with no user info, query or fragment.
     */
    public static String refusal(String issuer) {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (URISyntaxException e) {
            return "is not a URL";
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "must be an http URL with a host and no user info, query or fragment (https issuers need no"
                    + " listing)";
        }
        String host = uri.getHost();
        boolean loopback = host.equals("localhost") || host.equals("[::1]") || host.matches("127(\\.\\d{1,3}){3}");
        return loopback ? null : "plain http is allowed on loopback only (127.0.0.1, [::1], localhost); " + host
                + " must be reached over https";
    }
}
