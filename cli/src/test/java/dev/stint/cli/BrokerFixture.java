package dev.stint.cli;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.deployment.FederationSettings;
import dev.stint.broker.pgroles.AdminDatabase;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.sdk.AgentKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A real broker on a real PostgreSQL for one test class: the sample policy, with its dev
 * {@code orders-readonly} role granting SELECT on the test database's {@code app.orders}, and the
 * agent {@value #AGENT} registered for dev with its private key in a file.
 */
final class BrokerFixture implements AutoCloseable {

    static final String AGENT = "demo-agent";
    /** The sample policy's dev backend for orders-readonly, replaced by one on the test schema. */
    static final String SAMPLE_DEV_ROLE =
            "dev:  { provider: postgres, grants: \"SELECT ON ALL TABLES IN SCHEMA public\" }";
    /** Membership of password_checked makes the test server check the login's password. */
    static final String READ_ONLY_ROLE = "dev:  { provider: postgres, grants: [\"USAGE ON SCHEMA app\","
            + " \"SELECT ON TABLE app.orders\"], in_roles: [password_checked] }";

    final AdminDatabase db;
    final BrokerHarness broker;
    final Path keyFile;

    private BrokerFixture(AdminDatabase db, BrokerHarness broker, Path keyFile) {
        this.db = db;
        this.broker = broker;
        this.keyFile = keyFile;
    }

    static BrokerFixture start(Path dir) throws Exception {
        return start(dir, UnaryOperator.identity(), Set.of(), 0);
    }

    /**
     * @param changePolicy applied to the sample policy (after its dev role is moved to the test schema)
     * @param httpIssuers CI issuers the broker may reach over plain http (the deployment's
     *     {@code federation.allow_http_issuers})
     * @param port the broker's port, so that a policy may name its issuer; 0 for any
     */
    static BrokerFixture start(Path dir, UnaryOperator<String> changePolicy, Set<String> httpIssuers, int port)
            throws Exception {
        AdminDatabase db = AdminDatabase.create();
        String sample = Files.readString(BrokerHarness.SAMPLE_POLICY);
        if (!sample.contains(SAMPLE_DEV_ROLE)) {
            throw new IllegalStateException("the sample policy no longer has the line the test replaces");
        }
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, changePolicy.apply(sample.replace(SAMPLE_DEV_ROLE, READ_ONLY_ROLE)));
        Deployment deployment = db.deployment(PostgresTestDatabase.port(), dir)
                .withFederation(new FederationSettings(httpIssuers));
        BrokerHarness broker = BrokerHarness.start(dir.resolve("data"), policy, new MutableClock(Instant.now()),
                o -> o.withDeployment(deployment).withPort(port));
        try {
            TestAgent agent = broker.registerAgent(AGENT, "dev");
            Path keyFile = dir.resolve("agent.jwk");
            AgentKeys.writePrivate(agent.key(), keyFile);
            return new BrokerFixture(db, broker, keyFile);
        } catch (Exception | AssertionError e) {
            broker.close();
            throw e;
        }
    }

    /** Registers an agent with no key for dev: it can come in through CI federation only. */
    void registerKeylessAgent(String id) {
        BrokerHarness.Response registered = broker.postJson("/v1/agents", "{\"agent_id\":\"" + id + "\",\"owner\":"
                + "\"platform@example.com\",\"purpose\":\"CI\",\"tiers\":[\"dev\"]}", broker.adminToken());
        if (registered.status() != 201) {
            throw new AssertionError("registration failed: " + registered.status() + " " + registered.body());
        }
    }

    /** Brings the broker's clock, which the harness holds still, to now: stint signs with the real time. */
    void clockToNow() {
        broker.clock().set(Instant.now());
    }

    /** What stint needs to log in as the agent with its key. */
    Map<String, String> keyLogin() {
        return Map.of("STINT_BROKER", broker.issuer(), "STINT_KEY_FILE", keyFile.toString(), "STINT_AGENT", AGENT);
    }

    /** Connects as a login stint handed out, as a child would with PGHOST... */
    static Connection login(Map<String, String> env) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", env.get("PGUSER"));
        properties.setProperty("password", env.get("PGPASSWORD"));
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + env.get("PGHOST") + ":" + env.get("PGPORT") + "/"
                + env.get("PGDATABASE"), properties);
    }

    /** The number of rows in app.orders, read as the login. */
    static int ordersAs(Map<String, String> env) throws SQLException {
        try (Connection c = login(env); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM app.orders")) {
            r.next();
            return r.getInt(1);
        }
    }

    @Override
    public void close() throws SQLException {
        broker.close();
        db.dropLeftovers();
    }
}
