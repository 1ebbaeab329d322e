package dev.stint.broker.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.store.EmbeddedStore;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 6 at the token endpoint: when the JCA provider fails while checking a client
 * assertion's signature, the broker is broken, not the client. The answer is 503
 * {@code temporarily_unavailable} with {@code Retry-After}, never 401 {@code invalid_client} and
 * never a token, and the failure is on record as an error, not as an authentication. The
 * provider is the only stand-in: a {@link Provider} whose {@code SHA256withECDSA} throws, handed
 * to a real broker in place of the default choice.
 */
class ClientAssertionProviderFailureTest {

    static final String DETAIL = "client assertion could not be checked: the signature check for agent demo-agent"
            + " failed to run";

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));

    /** How the stand-in provider's ECDSA signature fails. */
    enum Failure {
        /** A hardware module or native library went away mid-check. */
        VERIFY_THROWS_PROVIDER_EXCEPTION,
        /** The provider refuses a registered key it should take. */
        INIT_THROWS_INVALID_KEY,
        /** Any other unchecked exception out of the JCA. */
        VERIFY_THROWS_ILLEGAL_STATE
    }

    static Stream<Arguments> providerFailures() {
        return Stream.of(
                Arguments.of("Signature.verify throws ProviderException", Failure.VERIFY_THROWS_PROVIDER_EXCEPTION),
                Arguments.of("Signature.initVerify throws InvalidKeyException", Failure.INIT_THROWS_INVALID_KEY),
                Arguments.of("Signature.verify throws IllegalStateException", Failure.VERIFY_THROWS_ILLEGAL_STATE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerFailures")
    void providerFailureIsUnavailableNeverInvalidClientAndIssuesNothing(String name, Failure failure)
            throws SQLException {
        try (BrokerHarness broker = BrokerHarness.startWithEcdsaProvider(dataDir, clock, new FailingEcdsa(failure))) {
            TestAgent agent = broker.registerAgent("demo-agent", "dev");
            long tokensBefore = count("issued_tokens");
            broker.flushRefusals();
            long head = broker.get("/health", null).json().get("audit_head_seq").asLong();

            Response response = broker.requestAgentToken(agent.assertion(broker.issuer(), clock.instant()));

            assertThat(response.status()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(response.text("error")).isEqualTo("temporarily_unavailable");
            assertThat(response.text("type")).isEqualTo("urn:stint:problem:unavailable");
            assertThat(response.text("error_description")).isEqualTo(DETAIL + "; nothing was issued, retry later");
            assertThat(response.body()).doesNotContain("access_token");
            assertThat(count("issued_tokens")).as("agent tokens issued").isEqualTo(tokensBefore);
            JsonNode health = broker.get("/health", null).json();
            assertThat(health.get("failed_unauthenticated").asLong()).isEqualTo(1);
            assertThat(health.get("refused_unauthenticated").asLong()).isZero();

            broker.flushRefusals();
            List<JsonNode> records = new ArrayList<>();
            broker.get("/v1/audit?after=" + head, broker.adminToken()).json().get("records").forEach(records::add);
            assertThat(records).as("one record: the failure, no authentication").hasSize(1);
            assertThat(records.get(0).get("actor").asText()).isEqualTo("anonymous");
            assertThat(records.get(0).get("action").asText()).isEqualTo("agent.authenticate");
            assertThat(records.get(0).get("decision").asText()).isEqualTo("error");
            assertThat(records.get(0).get("reason").asText())
                    .matches("1 failed from \\S+ to \\S+: " + java.util.regex.Pattern.quote(DETAIL));
        }
    }

    private long count(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A JCA provider offering only {@code SHA256withECDSA}, which fails as told. */
    static final class FailingEcdsa extends Provider {

        private static final long serialVersionUID = 1L;

        FailingEcdsa(Failure failure) {
            super("FailingEcdsa", "1.0", "SHA256withECDSA that fails (test stand-in)");
            putService(new Service(this, "Signature", "SHA256withECDSA", FailingSignature.class.getName(), null,
                    null) {
                @Override
                public Object newInstance(Object constructorParameter) {
                    return new FailingSignature(failure);
                }
            });
        }
    }

    @SuppressWarnings("deprecation")
    static final class FailingSignature extends SignatureSpi {

        private final Failure failure;

        FailingSignature(Failure failure) {
            this.failure = failure;
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            if (failure == Failure.INIT_THROWS_INVALID_KEY) {
                throw new InvalidKeyException("key refused (simulated provider fault)");
            }
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) {
            throw new UnsupportedOperationException("verification only");
        }

        @Override
        protected void engineUpdate(byte b) {
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            throw new SignatureException("verification only");
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) {
            if (failure == Failure.VERIFY_THROWS_ILLEGAL_STATE) {
                throw new IllegalStateException("native state lost (simulated provider fault)");
            }
            throw new ProviderException("hardware module unreachable (simulated provider fault)");
        }

        @Override
        protected void engineSetParameter(String param, Object value) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected Object engineGetParameter(String param) {
            throw new UnsupportedOperationException();
        }
    }
}
