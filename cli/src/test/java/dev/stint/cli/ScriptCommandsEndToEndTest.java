package dev.stint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stint.cli.CommandLineRefusalTest.Run;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands for scripts against a real broker and PostgreSQL: JSON on stdout, and the
 * broker's reason in one stderr line with an exit code that says refused, unavailable or set-up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScriptCommandsEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();

    BrokerFixture fixture;

    @BeforeAll
    void startBroker(@TempDir Path brokerDir) throws Exception {
        fixture = BrokerFixture.start(brokerDir);
    }

    @AfterAll
    void stopBroker() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void clock() {
        fixture.clockToNow();
    }

    Run stint(String... args) {
        return Run.of(List.of(args), fixture.keyLogin());
    }

    static JsonNode json(Run run) throws Exception {
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines()).hasSize(1);
        return JSON.readTree(run.out());
    }

    String openTask() throws Exception {
        return json(stint("task", "open", "--tier", "dev", "--scope", "db:orders:read", "--ttl", "10m"))
                .get("task_id").asText();
    }

    @Test
    void taskOpenPrintsTheTaskAsTheBrokerDescribesIt() throws Exception {
        JsonNode task = json(stint("task", "open", "--tier", "dev", "--scope", "db:orders:read", "--ttl", "10m",
                "--purpose", "nightly report"));

        assertThat(task.get("status").asText()).isEqualTo("active");
        assertThat(task.get("agent_id").asText()).isEqualTo(BrokerFixture.AGENT);
        assertThat(task.get("purpose").asText()).isEqualTo("nightly report");
        assertThat(task.get("scopes").get(0).asText()).isEqualTo("db:orders:read");
    }

    @Test
    void taskShowPrintsTheTask() throws Exception {
        String id = openTask();

        JsonNode task = json(stint("task", "show", id));

        assertThat(task.get("task_id").asText()).isEqualTo(id);
        assertThat(task.get("status").asText()).isEqualTo("active");
    }

    @Test
    void taskEndEndsItAndEndingAgainIsFine() throws Exception {
        String id = openTask();

        JsonNode ended = json(stint("task", "end", id));
        JsonNode again = json(stint("task", "end", id));

        assertThat(ended.get("status").asText()).isEqualTo("ended");
        assertThat(again.get("status").asText()).isEqualTo("ended");
    }

    @Test
    void tokenPrintsAnAgentToken() throws Exception {
        JsonNode token = json(stint("token"));

        assertThat(token.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.get("expires_in").asLong()).isBetween(1L, 300L);
        assertThat(fixture.broker.introspect(token.get("access_token").asText()).json().get("active").asBoolean())
                .isTrue();
    }

    @Test
    void tokenWithATaskPrintsATaskTokenOfThatTask() throws Exception {
        String id = openTask();

        JsonNode token = json(stint("token", "--task", id));

        assertThat(token.get("task_id").asText()).isEqualTo(id);
        assertThat(token.get("tier").asText()).isEqualTo("dev");
        assertThat(fixture.broker.introspect(token.get("access_token").asText()).json().get("task_id").asText())
                .isEqualTo(id);
    }

    @Test
    void dbCredsPrintsALoginThatWorksUntilTheTaskEnds() throws Exception {
        String id = openTask();
        JsonNode login = json(stint("db-creds", "orders-readonly", "--task", id));
        Map<String, String> env = Map.of("PGHOST", login.get("host").asText(), "PGPORT", login.get("port").asText(),
                "PGDATABASE", login.get("database").asText(), "PGUSER", login.get("username").asText(),
                "PGPASSWORD", login.get("password").asText());
        fixture.db.remember(login.get("username").asText());

        int rows = BrokerFixture.ordersAs(env);
        json(stint("task", "end", id));

        assertThat(rows).isEqualTo(2);
        assertThat(login.get("database_url").asText()).startsWith("postgresql://" + login.get("username").asText());
        assertThat(fixture.db.roleExists(login.get("username").asText())).isFalse();
    }

    @Test
    void policyRefusalExitsOneWithTheBrokersReason() {
        Run run = stint("task", "open", "--tier", "dev", "--scope", "db:orders:ddl");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("stint: task open request (tier dev) rejected: scope db:orders:ddl is not"
                + " granted to agent demo-agent in tier dev (HTTP 403, urn:stint:problem:policy-denied)\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void brokerThatIsNotThereExits69() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(fixture.keyLogin());
        env.put("STINT_BROKER", "http://127.0.0.1:" + port);

        Run run = Run.of(List.of("token"), env);

        assertThat(run.status()).isEqualTo(69);
        assertThat(run.err()).startsWith("stint: authorization server metadata request failed: no usable answer from"
                + " http://127.0.0.1:" + port).hasLineCount(1);
    }

    @Test
    void brokerUrlThatIsNotItsIssuerExits78NamingTheIssuer() {
        Map<String, String> env = new HashMap<>(fixture.keyLogin());
        env.put("STINT_BROKER", fixture.broker.issuer().replace("127.0.0.1", "localhost"));

        Run run = Run.of(List.of("token"), env);

        assertThat(run.status()).isEqualTo(78);
        assertThat(run.err()).contains("use " + fixture.broker.issuer() + " as the base URI").hasLineCount(1);
    }

    @Test
    void unknownAgentExitsOne() {
        Map<String, String> env = new HashMap<>(fixture.keyLogin());
        env.put("STINT_AGENT", "nobody");

        Run run = Run.of(List.of("token"), env);

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("stint: authentication of agent nobody rejected: ").hasLineCount(1);
    }
}
