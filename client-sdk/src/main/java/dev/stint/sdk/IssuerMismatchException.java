package dev.stint.sdk;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The broker's metadata names an issuer other than the base URI this client was given, e.g. the
 * client connected to {@code http://localhost:8400} and the broker calls itself
 * {@code http://127.0.0.1:8400}. RFC 8414 (section 3.3) forbids using such metadata, so the
 * client stops there and sends no client assertion. The broker answered properly; the client's
 * configuration is wrong, and retrying will not help: use {@link #issuer()}, exactly, as the
 * base URI.
 *
 * <p>The message names both URLs, what differs between them and what to use, e.g.
 * "authorization server metadata request failed: the broker's issuer is http://127.0.0.1:8400
 * but this client connected to http://localhost:8400 (the host differs); use
 * http://127.0.0.1:8400 as the base URI (RFC 8414 requires the issuer exactly)".
 */
public final class IssuerMismatchException extends BrokerUnavailableException {

    private static final long serialVersionUID = 1L;

    private final URI issuer;
    private final URI baseUri;

    /**
     * @param what the request whose answer named the issuer
     * @param issuer the issuer the broker published, an absolute http(s) URI
     * @param baseUri the base URI this client was given
     */
    IssuerMismatchException(String what, URI issuer, URI baseUri) {
        super(what + " failed: the broker's issuer is " + text(issuer) + " but this client connected to "
                + text(baseUri) + " (" + differences(issuer, baseUri) + "); use " + text(issuer)
                + " as the base URI (RFC 8414 requires the issuer exactly)");
        this.issuer = issuer;
        this.baseUri = baseUri;
    }

    /** The issuer the broker publishes in its metadata: the base URI to use instead. */
    public URI issuer() {
        return issuer;
    }

    /** The base URI this client was given. */
    public URI baseUri() {
        return baseUri;
    }

    private static String text(URI uri) {
        return BrokerHttp.readable(Objects.requireNonNull(uri).toString());
    }

    /** Which parts of the two URLs differ, e.g. "the host differs", "the scheme and port differ". */
    private static String differences(URI issuer, URI baseUri) {
        List<String> parts = new ArrayList<>();
        if (!Objects.equals(issuer.getScheme(), baseUri.getScheme())) {
            parts.add("scheme");
        }
        if (!Objects.equals(issuer.getHost(), baseUri.getHost())) {
            parts.add("host");
        }
        if (issuer.getPort() != baseUri.getPort()) {
            parts.add("port");
        }
        if (!withoutTrailingSlash(issuer.getRawPath()).equals(withoutTrailingSlash(baseUri.getRawPath()))) {
            parts.add("path");
        }
        if (parts.isEmpty()) {
            return "they are spelt differently";
        }
        if (parts.size() == 1) {
            return "the " + parts.get(0) + " differs";
        }
        String last = parts.remove(parts.size() - 1);
        return "the " + String.join(", ", parts) + " and " + last + " differ";
    }

    private static String withoutTrailingSlash(String path) {
        if (path == null) {
            return "";
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
