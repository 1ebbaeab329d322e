package dev.stint.broker.deployment;

import dev.stint.token.Tier;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Vault (or OpenBao) database secrets engine that serves one tier, reached with its own token:
 * no client or token is shared between tiers. The rules on address, namespace, mount and token
 * are those of the vault-adapter's {@code VaultConnection}, so that every backend read here can
 * become one. {@link #toString()} leaves the token out.
 *
 * @param name the connection's name, see {@link ConnectionCatalog#isName}
 * @param tier the one tier it serves
 * @param address https, or http only to a loopback address (127.0.0.1, ::1, localhost): the token
 *     travels in a header; no user info, query or fragment; a trailing {@code /} is dropped
 * @param namespace sent as {@code X-Vault-Namespace}; empty sends none
 * @param mount the database secrets engine's mount path, e.g. {@code database}
 * @param token the broker's Vault token; never printed
 * @param sessions a postgres connection of the same tier, used to end the sessions of users Vault
 *     issued and to tell clients host, port and database; empty when there is none
 */
public record VaultBackend(String name, Tier tier, URI address, Optional<String> namespace, String mount,
        String token, Optional<String> sessions) implements Backend {

    /** Longest mount or namespace path (as the vault-adapter allows). */
    public static final int MAX_PATH_LENGTH = 128;

    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
    // URI.getHost() keeps an IPv6 literal's brackets.
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "[::1]", "localhost");

    public VaultBackend {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(mount, "mount");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(sessions, "sessions");
        ConnectionCatalog.requireName(name);
        address = checkedAddress(address);
        namespace.ifPresent(VaultBackend::requirePath);
        requirePath(mount);
        if (!isToken(token)) {
            throw new IllegalArgumentException("the token must be printable ASCII without spaces");
        }
        sessions.ifPresent(ConnectionCatalog::requireName);
    }

    @Override
    public BackendProvider provider() {
        return BackendProvider.VAULT;
    }

    /** Everything but the token. */
    @Override
    public String toString() {
        return "VaultBackend[name=" + name + ", tier=" + tier + ", address=" + address + ", namespace="
                + namespace.orElse("(none)") + ", mount=" + mount + ", token=(hidden), sessions="
                + sessions.orElse("(none)") + "]";
    }

    /**
     * The address as it will be used (without a trailing {@code /}).
     *
     * @throws IllegalArgumentException when it is not https (or http to a loopback address), names
     *     no host, or carries user info, a query or a fragment
     */
    static URI checkedAddress(URI address) {
        String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || address.getHost() == null) {
            throw new IllegalArgumentException("must be an https URL with a host, such as https://vault.example:8200");
        }
        // User info would be printed wherever the address is.
        if (address.getRawUserInfo() != null || address.getRawQuery() != null || address.getRawFragment() != null) {
            throw new IllegalArgumentException("must not carry user info, a query or a fragment");
        }
        if (scheme.equals("http") && !LOOPBACK.contains(address.getHost().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("must use https: the token would cross the network in clear;"
                    + " http is allowed only for a loopback address (127.0.0.1, ::1 or localhost)");
        }
        String text = address.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : address;
    }

    /** @throws IllegalArgumentException unless {@code path} is a mount or namespace path */
    static void requirePath(String path) {
        if (path.length() > MAX_PATH_LENGTH || !PATH.matcher(path).matches() || path.contains("..")) {
            throw new IllegalArgumentException("must be path segments of A-Z a-z 0-9 _ . - joined by /, without ..,"
                    + " without a leading or trailing /, at most " + MAX_PATH_LENGTH + " characters");
        }
    }

    /** A token goes into a header: a space or control character would be a header injection. */
    static boolean isToken(String token) {
        return !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }
}
