package dev.stint.cli.ci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stint.sdk.SubjectTokenSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A GitHub Actions job's OIDC token, fetched as GitHub documents it: GET
 * {@code $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD} with {@code Authorization: bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN}, answered {@code {"value": "<jwt>"}}. GitHub mints a new token
 * on each request, so every exchange gets a fresh one. Messages never hold the request token or
 * an ID token. Thread safe.
 */
public final class GithubIdToken implements SubjectTokenSource {

    public static final String URL_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_URL";
    public static final String TOKEN_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** GitHub's answer is one small JSON object; anything bigger is not it. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI requestUri;
    private final String requestToken;
    private final Duration timeout;

    GithubIdToken(HttpClient http, URI requestUrl, String requestToken, String audience, Duration timeout) {
        this.http = Objects.requireNonNull(http, "http");
        Objects.requireNonNull(requestUrl, "requestUrl");
        Objects.requireNonNull(audience, "audience");
        String separator = requestUrl.getRawQuery() == null ? "?" : "&";
        // %20 for a space, as GitHub's toolkit writes it (encodeURIComponent), not the form's '+'.
        this.requestUri = URI.create(requestUrl + separator + "audience="
                + URLEncoder.encode(audience, StandardCharsets.UTF_8).replace("+", "%20"));
        this.requestToken = Objects.requireNonNull(requestToken, "requestToken");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The source for this job, asking for tokens with {@code audience}.
     *
     * @throws CiSetupException when the job was not given the variables (it lacks
     *     {@code permissions: id-token: write}), or the URL is not https (plain http only on loopback)
     */
    public static GithubIdToken fromEnvironment(Map<String, String> env, String audience, HttpClient http)
            throws CiSetupException {
        return fromEnvironment(env, audience, http, DEFAULT_TIMEOUT);
    }

    static GithubIdToken fromEnvironment(Map<String, String> env, String audience, HttpClient http, Duration timeout)
            throws CiSetupException {
        String url = env.get(URL_VARIABLE);
        String token = env.get(TOKEN_VARIABLE);
        if (url == null || url.isBlank() || token == null || token.isBlank()) {
            throw new CiSetupException("GitHub Actions gives this job no OIDC token (" + (url == null || url.isBlank()
                    ? URL_VARIABLE : TOKEN_VARIABLE) + " is not set): give the job `permissions: id-token: write`");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new CiSetupException(URL_VARIABLE + " is not a URL");
        }
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        boolean loopbackHttp = "http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null
                && LOOPBACK.contains(uri.getHost().toLowerCase(java.util.Locale.ROOT));
        if (!uri.isAbsolute() || uri.getHost() == null || !(https || loopbackHttp) || uri.getRawFragment() != null) {
            // The request token goes with the request: only over TLS (or to this very machine).
            throw new CiSetupException(URL_VARIABLE + " must be an https URL (plain http only on loopback)");
        }
        return new GithubIdToken(http, uri, token, audience, timeout);
    }

    @Override
    public String subjectToken() throws IOException {
        HttpRequest request = HttpRequest.newBuilder(requestUri)
                .timeout(timeout)
                .header("Authorization", "bearer " + requestToken)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
        } catch (HttpTimeoutException e) {
            throw new IOException("GitHub's OIDC token request did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("GitHub's OIDC token request was interrupted");
        } catch (IOException e) {
            throw new IOException("GitHub's OIDC token request to " + requestUri.getHost() + " failed: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
        if (response.statusCode() != 200) {
            throw new IOException("GitHub's OIDC token request answered HTTP " + response.statusCode());
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new IOException("GitHub's OIDC token answer is larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (IOException e) {
            // No cause: the parser's message may quote the body, which may hold a token.
            throw new IOException("GitHub's OIDC token answer is not JSON");
        }
        JsonNode value = answer == null ? null : answer.get("value");
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IOException("GitHub's OIDC token answer has no 'value'");
        }
        return value.asText();
    }

    @Override
    public String toString() {
        return "GithubIdToken[" + requestUri.getHost() + "]";
    }
}
