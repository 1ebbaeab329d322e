package dev.stint.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Secrets never reach a string a log line could print. */
class RedactionTest {

    private static final String VALUE = "eyJhbGciOiJFUzI1NiJ9.secret-payload.signature";

    @Test
    void taskTokenToStringOmitsValue() {
        TaskToken token = new TaskToken(VALUE, Instant.parse("2026-11-24T23:05:00Z"), new TaskId("tsk_a"),
                new Tier("dev"), null);

        assertThat(token.toString()).doesNotContain(VALUE).doesNotContain("secret-payload")
                .contains("tsk_a").contains("fingerprint=" + token.fingerprint());
    }

    @Test
    void fingerprintIsFirstEightHexDigitsOfSha256() {
        TaskToken token = new TaskToken("abc", Instant.EPOCH, new TaskId("tsk_a"), new Tier("dev"), null);

        // SHA-256("abc") = ba7816bf...
        assertThat(token.fingerprint()).isEqualTo("ba7816bf");
    }

    @Test
    void optionsToStringOmitsPrivateKey() {
        var key = AgentKeys.generate();
        StintClientOptions options = StintClientOptions.of(URI.create("http://127.0.0.1:8400/"),
                BrokerStub.AGENT, key, Clock.systemUTC());

        assertThat(options.toString()).doesNotContain(key.getD().toString())
                .contains("kid:" + key.getKeyID());
        assertThat(StintClient.create(options).toString()).doesNotContain(key.getD().toString());
    }

    @Test
    void baseUriLosesTrailingSlash() {
        StintClientOptions options = StintClientOptions.of(URI.create("http://127.0.0.1:8400/"),
                BrokerStub.AGENT, AgentKeys.generate(), Clock.systemUTC());

        assertThat(options.baseUri()).isEqualTo(URI.create("http://127.0.0.1:8400"));
    }
}
