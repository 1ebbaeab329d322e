package dev.stint.broker.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/revocations} is built at most once a second of the broker's clock and revalidates by ETag. */
class RevocationListTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void startBroker() {
        broker = BrokerHarness.start(dataDir, clock);
        agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev"));
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private String mintAndEnd() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        String jti = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getJWTClaimsSet().getJWTID();
        broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], agentToken);
        return jti;
    }

    private HttpResponse<String> getIfNoneMatch(String etag) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(broker.issuer() + "/v1/revocations"))
                .header("If-None-Match", etag).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listCarriesAValidatorAndMayBeCachedForOneSecond() {
        Response listed = broker.get("/v1/revocations", null);

        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.headers().firstValue("ETag")).hasValueSatisfying(tag -> assertThat(tag).startsWith("W/\""));
        assertThat(listed.headers().firstValue("Cache-Control")).contains("public, max-age=1");
    }

    @Test
    void currentCopyIsAnsweredNotModifiedWithoutABody() throws Exception {
        mintAndEnd();
        String etag = broker.get("/v1/revocations", null).headers().firstValue("ETag").orElseThrow();
        clock.advance(Duration.ofSeconds(5));

        HttpResponse<String> revalidated = getIfNoneMatch(etag);

        assertThat(revalidated.statusCode()).isEqualTo(304);
        assertThat(revalidated.body()).isEmpty();
        assertThat(revalidated.headers().firstValue("ETag")).contains(etag);
    }

    @Test
    void listBuiltThisSecondIsServedUntilTheSecondHasPassed() throws Exception {
        Response before = broker.get("/v1/revocations", null);
        String jti = mintAndEnd();

        Response sameSecond = broker.get("/v1/revocations", null);
        clock.advance(Duration.ofSeconds(1));
        Response nextSecond = broker.get("/v1/revocations", null);

        assertThat(sameSecond.body()).isEqualTo(before.body());
        assertThat(nextSecond.json().get("revoked").findValuesAsText("jti")).containsExactly(jti);
        assertThat(nextSecond.headers().firstValue("ETag")).isNotEqualTo(before.headers().firstValue("ETag"));
    }

    @Test
    void staleCopyGetsTheNewList() throws Exception {
        String etag = broker.get("/v1/revocations", null).headers().firstValue("ETag").orElseThrow();
        String jti = mintAndEnd();
        clock.advance(Duration.ofSeconds(1));

        HttpResponse<String> revalidated = getIfNoneMatch(etag);

        assertThat(revalidated.statusCode()).isEqualTo(200);
        assertThat(revalidated.body()).contains(jti);
    }
}
