package dev.stint.broker.people;

import java.net.InetAddress;
import java.net.URI;
import java.util.Objects;

/**
 * Where people's pages live, as WebAuthn sees it. Browsers refuse passkeys on an IP address (the
 * relying-party id must be a domain), so a broker whose issuer is a loopback address (the default
 * {@code http://127.0.0.1:8400}) serves its pages at {@code http://localhost:PORT}, with
 * relying-party id {@code localhost}; otherwise the pages live at the issuer's own origin and the
 * id is its host.
 *
 * @param origin the one origin a passkey ceremony is accepted from ({@code scheme://host[:port]})
 * @param id the WebAuthn relying-party id
 * @param loopback whether the issuer is a loopback address, so that pages reached at another
 *     loopback name are sent to {@link #origin}
 */
public record RelyingParty(String origin, String id, boolean loopback) {

    /** The name browsers show in their passkey dialogs. */
    public static final String NAME = "Stint";

    public RelyingParty {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(id, "id");
    }

    /** @param issuer {@code http(s)://host[:port]}, without a path */
    public static RelyingParty forIssuer(String issuer) {
        URI uri = URI.create(issuer);
        String host = uri.getHost();
        if (host == null || uri.getScheme() == null) {
            throw new IllegalArgumentException("the issuer has no scheme or host");
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        if (isLoopback(bare)) {
            return new RelyingParty(uri.getScheme() + "://localhost" + port, "localhost", true);
        }
        return new RelyingParty(uri.getScheme() + "://" + host + port, bare, false);
    }

    /** The page where the holder of an enrollment secret registers a passkey. */
    public String enrollmentUrl(String secret) {
        // In the fragment, the secret never reaches a server log, a proxy or a Referer header.
        return origin + "/ui/enroll#" + secret;
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            return false;   // a name: never resolved here
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
