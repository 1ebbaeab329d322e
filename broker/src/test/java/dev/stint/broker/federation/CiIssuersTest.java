package dev.stint.broker.federation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.MutableClock;
import dev.stint.broker.deployment.FederationSettings;
import dev.stint.broker.http.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fetching a CI issuer's keys: cached while fresh, fetched again when stale or on an unknown kid
 * (not more than every 30 s), and an issuer that is down, slow or answers garbage is a failure to
 * reach it, never a stale or empty key set.
 */
class CiIssuersTest {

    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    Vertx vertx = Vertx.vertx();
    CiIssuerStub stub;
    CiIssuers issuers;

    @BeforeEach
    void start() {
        stub = CiIssuerStub.start("/ci");
        issuers = new CiIssuers(vertx, new FederationSettings(Set.of(stub.issuer())), clock, Duration.ofMillis(500));
    }

    @AfterEach
    void stop() {
        stub.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void keysAreFetchedThroughDiscoveryAndCachedWhileFresh() {
        JWKSet first = await(issuers.keys(stub.issuer()));
        clock.advance(CiIssuers.FRESH_FOR.minusSeconds(1));
        await(issuers.keys(stub.issuer()));

        assertThat(first.getKeyByKeyId(stub.signingKey().getKeyID())).isNotNull();
        assertThat(first.getKeyByKeyId(stub.signingKey().getKeyID()).isPrivate()).isFalse();
        assertThat(stub.jwksFetches()).isEqualTo(1);
    }

    @Test
    void staleKeysAreFetchedAgain() {
        await(issuers.keys(stub.issuer()));
        clock.advance(CiIssuers.FRESH_FOR);

        await(issuers.keys(stub.issuer()));

        assertThat(stub.jwksFetches()).isEqualTo(2);
    }

    @Test
    void staleKeysAreNotServedWhenTheIssuerIsDown() {
        await(issuers.keys(stub.issuer()));
        clock.advance(CiIssuers.FRESH_FOR);
        String issuer = stub.issuer();
        stub.server().stop();

        assertUnreachable(issuers.keys(issuer), "could not be fetched");
    }

    @Test
    void unknownKidFetchesAgainAtMostEveryThirtySeconds() {
        await(issuers.keys(stub.issuer()));

        await(issuers.keysAfterUnknownKid(stub.issuer()));
        clock.advance(CiIssuers.REFRESH_AT_MOST_EVERY.minusSeconds(1));
        await(issuers.keysAfterUnknownKid(stub.issuer()));
        assertThat(stub.jwksFetches()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        await(issuers.keysAfterUnknownKid(stub.issuer()));
        assertThat(stub.jwksFetches()).isEqualTo(2);
    }

    @Test
    void concurrentCallersShareOneFetch() {
        List<Future<JWKSet>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(issuers.keys(stub.issuer()));
        }

        calls.forEach(CiIssuersTest::await);

        assertThat(stub.jwksFetches()).isEqualTo(1);
    }

    @Test
    void anIssuerNotAllowedOverHttpIsNeverContacted() {
        CiIssuers strict = new CiIssuers(vertx, FederationSettings.NONE, clock);

        assertThatThrownBy(() -> await(strict.keys(stub.issuer()))).isInstanceOf(CompletionException.class);
        assertThat(stub.server().getAllServeEvents()).isEmpty();
    }

    static Stream<Arguments> brokenIssuers() {
        return Stream.of(
                broken("discovery answers 500", discovery(aResponse().withStatus(500)), "HTTP 500"),
                broken("discovery redirects", discovery(aResponse().withStatus(302)
                        .withHeader("Location", "http://127.0.0.1:1/elsewhere")), "HTTP 302"),
                broken("discovery is not JSON", discovery(json("<html>")), "discovery document is not JSON"),
                broken("discovery names another issuer", discovery(json("{\"issuer\":\"https://evil.example.com\","
                        + "\"jwks_uri\":\"https://evil.example.com/jwks\"}")), "names another issuer"),
                broken("discovery without jwks_uri", stub -> discovery(json("{\"issuer\":\"" + stub.issuer()
                        + "\"}")).accept(stub), "has no jwks_uri"),
                broken("jwks_uri on another plain http host", stub -> discovery(json("{\"issuer\":\"" + stub.issuer()
                        + "\",\"jwks_uri\":\"http://10.0.0.1/jwks\"}")).accept(stub), "not an https URL"),
                broken("key set is garbage", jwks(json("{\"keys\":\"nope\"}")), "key set is not a JWK Set"),
                broken("answer larger than 256 KiB", jwks(json("{\"keys\":[],\"pad\":\"" + "x".repeat(300_000)
                        + "\"}")), "larger than"),
                broken("connection reset", jwks(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)),
                        "could not be fetched"),
                broken("slower than the timeout", jwks(json("{\"keys\":[]}").withFixedDelay(2_000)),
                        "could not be fetched"));
    }

    interface Breakage extends java.util.function.Consumer<CiIssuerStub> {
    }

    static Arguments broken(String name, Breakage breakage, String reason) {
        return Arguments.of(name, breakage, reason);
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withHeader("Content-Type", "application/json").withBody(body);
    }

    static Breakage discovery(ResponseDefinitionBuilder answer) {
        return stub -> stub.server().stubFor(get(urlEqualTo("/ci/.well-known/openid-configuration")).willReturn(answer));
    }

    static Breakage jwks(ResponseDefinitionBuilder answer) {
        return stub -> stub.server().stubFor(get(urlEqualTo("/ci/.well-known/jwks")).willReturn(answer));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenIssuers")
    void brokenIssuerIsUnreachableNotTrusted(String name, Breakage breakage, String reason) {
        breakage.accept(stub);

        assertUnreachable(issuers.keys(stub.issuer()), reason);
    }

    static void assertUnreachable(Future<JWKSet> keys, String reason) {
        assertThatThrownBy(() -> await(keys))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(UnavailableException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void brokenAnswerIsNotRemembered() {
        jwks(json("{\"keys\":\"nope\"}")).accept(stub);
        assertThatThrownBy(() -> await(issuers.keys(stub.issuer())));
        stub.publish();

        JWKSet keys = await(issuers.keys(stub.issuer()));

        assertThat(keys.getKeys()).hasSize(1);
        assertThat(stub.server().countRequestsMatching(getRequestedFor(urlEqualTo("/ci/.well-known/jwks")).build())
                .getCount()).isEqualTo(2);
    }
}
