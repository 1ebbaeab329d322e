package dev.stint.vault;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One Vault (or OpenBao) database secrets engine that serves one tier: where Vault is, which
 * namespace and mount, the token the broker uses there, and how long one request may take.
 *
 * <p>Every field is checked here, so an engine built from a connection never sends a request to a
 * path it did not mean: the mount becomes part of request paths and lease-id prefixes.
 * {@link #toString()} never shows the token.
 *
 * @param address   Vault's address, {@code http} or {@code https}, with no user info, query or
 *                  fragment (a path prefix is kept: some deployments put Vault behind one)
 * @param namespace the Vault Enterprise / OpenBao namespace sent as {@code X-Vault-Namespace}, or
 *                  empty to send no such header
 * @param mount     the database secrets engine's mount path, e.g. {@code database} or
 *                  {@code tiers/prod/database}
 * @param token     the Vault token sent as {@code X-Vault-Token}; never printed
 * @param timeout   how long one request may take to connect and to answer; whole seconds are
 *                  what the driver takes, so it is rounded up to the next second
 */
public record VaultConnection(URI address, Optional<String> namespace, String mount, String token, Duration timeout) {

    public VaultConnection {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(mount, "mount");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(timeout, "timeout");
        address = checkedAddress(address);
        namespace.ifPresent(ns -> VaultNames.checkPath("namespace", ns));
        VaultNames.checkPath("mount", mount);
        checkToken(token);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /** Names this connection for messages: address, namespace and mount, never the token. */
    public String describe() {
        return "Vault at " + address + namespace.map(ns -> " namespace " + ns).orElse("") + " mount " + mount;
    }

    @Override
    public String toString() {
        return "VaultConnection[address=" + address + ", namespace=" + namespace.orElse("(none)") + ", mount="
                + mount + ", token=(hidden), timeout=" + timeout + "]";
    }

    /** The driver counts timeouts in whole seconds; rounding up keeps a sub-second timeout from becoming zero (no timeout). */
    int timeoutSeconds() {
        long millis = timeout.toMillis();
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (millis + 999) / 1000));
    }

    private static URI checkedAddress(URI address) {
        String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("address must be an http or https URI");
        }
        if (address.getHost() == null) {
            throw new IllegalArgumentException("address must name a host");
        }
        // User info would be printed wherever the address is (every error reason names it).
        if (address.getRawUserInfo() != null || address.getRawQuery() != null || address.getRawFragment() != null) {
            throw new IllegalArgumentException("address must not carry user info, a query or a fragment");
        }
        String text = address.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : address;
    }

    // The token goes into a header: a control character or space would be a header injection or
    // a request the HTTP client refuses with a message we do not control.
    private static void checkToken(String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token must not be empty");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("token must be printable ASCII without spaces");
            }
        }
    }
}
