package dev.stint.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.stint.broker.federation.CiIssuerStub;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * GitHub's token request URL, as a runner sees it ({@code ACTIONS_ID_TOKEN_REQUEST_URL}): with the
 * runner's request token it answers {@code {"value": <a fresh ID token>}} for the audience asked,
 * signed by the {@link CiIssuerStub} standing for GitHub's issuer; a new token on every request, as
 * GitHub does. The service is GitHub's, not Stint's: stubbing it is what stint meets in a job.
 */
final class GithubTokenService implements AutoCloseable {

    static final String PATH = "/_apis/actionstoken/generate";
    static final String REQUEST_TOKEN = "runner-request-token";

    private final WireMockServer server;

    GithubTokenService(CiIssuerStub issuer) {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new FreshToken(issuer)));
        server.start();
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withTransformers(FreshToken.NAME)));
    }

    /** The runner's environment for a step of a job with {@code permissions: id-token: write}. */
    Map<String, String> runnerEnvironment() {
        return Map.of("GITHUB_ACTIONS", "true",
                "ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:" + server.port() + PATH + "?api-version=2.0",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN);
    }

    List<LoggedRequest> requests() {
        return server.findAll(getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Override
    public void close() {
        server.stop();
    }

    private static final class FreshToken implements ResponseDefinitionTransformerV2 {

        static final String NAME = "github-fresh-id-token";
        private final CiIssuerStub issuer;

        FreshToken(CiIssuerStub issuer) {
            this.issuer = issuer;
        }

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            if (!("bearer " + REQUEST_TOKEN).equals(event.getRequest().getHeader("Authorization"))) {
                return ResponseDefinition.notAuthorised();
            }
            String audience = event.getRequest().queryParameter("audience").firstValue();
            String token = issuer.sign(issuer.githubClaims(audience, Instant.now()));
            return new ResponseDefinition(200, "{\"count\":1,\"value\":\"" + token + "\"}");
        }
    }
}
