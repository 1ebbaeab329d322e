package dev.stint.sdk;

import static dev.stint.sdk.BrokerStub.DB_PASSWORD;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.credentialsAnswer;
import static dev.stint.sdk.BrokerStub.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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

    @Test
    void databaseCredentialsToStringHidesPassword() {
        DatabaseCredentials c = new DatabaseCredentials("stint_dev_3f9a0c21d47be810", DB_PASSWORD, "lse_1",
                T0.plusSeconds(600), "db.internal", 5432, "orders", "orders-readonly", DEV);

        assertThat(c.toString()).doesNotContain(DB_PASSWORD).contains("password=(hidden)")
                .contains("lse_1").contains("stint_dev_3f9a0c21d47be810");
        assertThat(c.jdbcUrl()).doesNotContain(DB_PASSWORD);
    }

    @Test
    void malformedDatabaseCredentialsNeverQuoteTheirFields() {
        assertThatThrownBy(() -> new DatabaseCredentials("u", DB_PASSWORD + "\n", "lse_1", T0, "db.internal", 5432,
                "orders", "orders-readonly", DEV))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("password must be non-empty and free of control characters");
    }

    /**
     * The password of issued credentials and of answers the SDK refuses reaches no exception
     * message or stack trace, and no log line, whatever the level.
     */
    @Test
    void passwordNeverReachesMessagesOrLogs() throws Exception {
        List<String> logged = new ArrayList<>();
        CapturedLogs logs = new CapturedLogs(logged);
        try (BrokerStub broker = new BrokerStub().standard()) {
            broker.task("tsk_a", DEV, T0.plusSeconds(3600));
            TaskSession session = broker.open(broker.client(), "tsk_a", DEV);
            List<String> texts = new ArrayList<>();
            List<Consumer<ObjectNode>> refusedEdits = List.of(
                    a -> a.put("tier", "prod"),
                    a -> a.put("role", "orders-admin"),
                    a -> a.put("expires_at", T0.toString()),
                    a -> a.put("expires_at", T0.plusSeconds(7200).toString()),
                    a -> a.put("password", DB_PASSWORD + "\u0000"),
                    a -> a.put("host", DB_PASSWORD),
                    a -> a.put("port", DB_PASSWORD),
                    a -> a.put("tier", DB_PASSWORD),
                    a -> a.put("expires_at", DB_PASSWORD),
                    a -> a.remove("lease_id"));
            for (Consumer<ObjectNode> edit : refusedEdits) {
                ObjectNode answer = credentialsAnswer("lse_1", "orders-readonly", DEV, T0.plusSeconds(600));
                edit.accept(answer);
                broker.answerCredentials("tsk_a", json(201, answer.toString()));
                texts.add(failureText(() -> session.databaseCredentials("orders-readonly")));
            }
            broker.answerCredentials("tsk_a", json(201, "{\"password\":\"" + DB_PASSWORD + "\""));
            texts.add(failureText(() -> session.databaseCredentials("orders-readonly")));
            broker.issuesCredentials("tsk_a", credentialsAnswer("lse_1", "orders-readonly", DEV, T0.plusSeconds(600)));
            DatabaseCredentials issued = session.databaseCredentials("orders-readonly");
            texts.add(issued.toString());
            texts.add(session.toString());
            session.end();
            texts.add(failureText(() -> session.databaseCredentials("orders-readonly")));

            assertThat(issued.password()).isEqualTo(DB_PASSWORD);
            assertThat(texts).hasSize(14).noneMatch(text -> text.contains(DB_PASSWORD));
        } finally {
            logs.close();
        }
        assertThat(logged).noneMatch(line -> line.contains(DB_PASSWORD));
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    /** The full stack trace of the exception {@code call} throws, causes included. */
    private static String failureText(Call call) {
        try {
            call.run();
        } catch (Exception e) {
            StringWriter out = new StringWriter();
            e.printStackTrace(new PrintWriter(out));
            return out.toString();
        }
        throw new AssertionError("expected the call to fail");
    }

    /**
     * Everything logged through SLF4J and java.util.logging while open, with the SDK's own
     * loggers at their most verbose.
     */
    private static final class CapturedLogs {

        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final Logger sdk = (Logger) LoggerFactory.getLogger("dev.stint");
        private final Level sdkLevel = sdk.getLevel();
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        private final java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
        private final java.util.logging.Logger julSdk = java.util.logging.Logger.getLogger("dev.stint");
        private final java.util.logging.Level julSdkLevel = julSdk.getLevel();
        private final Handler handler;
        private final List<String> lines;

        CapturedLogs(List<String> lines) {
            this.lines = lines;
            appender.start();
            root.addAppender(appender);
            sdk.setLevel(Level.TRACE);
            handler = new Handler() {
                @Override
                public void publish(LogRecord record) {
                    synchronized (lines) {
                        lines.add(String.valueOf(record.getMessage()) + " " + record.getThrown());
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            handler.setLevel(java.util.logging.Level.ALL);
            julRoot.addHandler(handler);
            julSdk.setLevel(java.util.logging.Level.ALL);
        }

        void close() {
            root.detachAppender(appender);
            sdk.setLevel(sdkLevel);
            julRoot.removeHandler(handler);
            julSdk.setLevel(julSdkLevel);
            synchronized (lines) {
                for (ILoggingEvent event : appender.list) {
                    lines.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                            : ThrowableProxyUtil.asString(event.getThrowableProxy())));
                }
            }
        }
    }
}
