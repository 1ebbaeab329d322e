package dev.stint.broker.deployment;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The deployment's {@code notify} section: where approval requests and their decisions are
 * posted. A webhook only tells people; it never approves anything.
 *
 * <pre>
 * notify:
 *   webhooks:
 *     - url: https://hooks.slack.com/services/T000/B000/XXXX
 *       format: slack                          # slack or json
 *     - url: https://approvals.example.com/stint
 *       format: json
 *       secret_file: /etc/stint/webhook.secret # optional: signs each post (or secret_env: NAME)
 * </pre>
 *
 * @param webhooks at most {@value #MAX_WEBHOOKS}, each url once
 */
public record NotifySettings(List<Webhook> webhooks) {

    public static final int MAX_WEBHOOKS = 10;
    public static final int MAX_URL_LENGTH = 2_000;
    public static final NotifySettings NONE = new NotifySettings(List.of());

    public NotifySettings {
        webhooks = List.copyOf(webhooks);
    }

    /** How a webhook's message is written. */
    public enum Format {
        /** A Slack incoming-webhook payload ({@code text} in Slack's mrkdwn). */
        SLACK,
        /** Stint's own JSON object. */
        JSON;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Format parse(String text) {
            for (Format format : values()) {
                if (format.wireName().equals(text)) {
                    return format;
                }
            }
            throw new IllegalArgumentException("'" + (text.length() <= 40 ? text : text.substring(0, 40) + "...")
                    + "' is not a format (slack, json)");
        }
    }

    /**
     * One receiver. The url may itself be a secret (a Slack webhook's path is its credential), so
     * {@link #toString()}, logs and {@code /health} show only {@link #host()}.
     *
     * @param secret the HMAC key that signs each post; empty for unsigned posts
     */
    public record Webhook(String url, Format format, Optional<String> secret) {

        public Webhook {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(secret, "secret");
            String refusal = refusal(url);
            if (refusal != null) {
                throw new IllegalArgumentException("webhook url " + refusal);
            }
        }

        /**
         * A stable name for this webhook, the same on every broker and across restarts: {@code wh_}
         * and the first 12 hex digits of the url's SHA-256. Deliveries are recorded under it.
         */
        public String id() {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
                return "wh_" + HexFormat.of().formatHex(digest, 0, 6);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
        }

        /** {@code host} or {@code host:port}: what may be shown of the url. */
        public String host() {
            URI uri = URI.create(url);
            return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        }

        /** Never the url's path or query, nor the secret. */
        @Override
        public String toString() {
            return "Webhook[" + id() + ", host=" + host() + ", format=" + format.wireName() + ", signed="
                    + secret.isPresent() + "]";
        }
    }

    /**
     * Why {@code url} cannot be a webhook, or {@code null} when it can: an https URL with a host and
     * no user info or fragment, or plain http to a loopback host (127.0.0.0/8, [::1], localhost)
     * for tests and local trials.
     */
    public static String refusal(String url) {
        if (url.length() > MAX_URL_LENGTH) {
            return "must be at most " + MAX_URL_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a URL";
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            return "must be an https URL with a host and no user info or fragment";
        }
        if ("https".equals(uri.getScheme())) {
            return null;
        }
        if (!"http".equals(uri.getScheme())) {
            return "must be an https URL";
        }
        String host = uri.getHost();
        boolean loopback = host.equals("localhost") || host.equals("[::1]") || host.matches("127(\\.\\d{1,3}){3}");
        return loopback ? null
                : "must be an https URL (plain http is allowed on loopback only: 127.0.0.1, [::1], localhost)";
    }
}
