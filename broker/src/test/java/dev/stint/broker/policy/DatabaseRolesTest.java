package dev.stint.broker.policy;

import static dev.stint.broker.deployment.BackendProvider.POSTGRES;
import static dev.stint.broker.deployment.BackendProvider.VAULT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.deployment.ConnectionCatalog;
import dev.stint.broker.deployment.ConnectionCatalog.Connection;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy's {@code database_roles}: typed per tier, their SQL fragments checked, and their
 * connections checked against the deployment so that a dev role can never use a prod database.
 */
class DatabaseRolesTest {

    private static final Path SAMPLE = Path.of("../config/policy.yaml");
    private static final String LABEL = "policy.yaml";

    private static final Tier DEV = new Tier("dev");
    private static final Tier STAGING = new Tier("staging");
    private static final Tier PROD = new Tier("prod");

    /** One postgres connection for dev, two for staging, one of each provider for prod. */
    private static final ConnectionCatalog CATALOG = ConnectionCatalog.of(
            new Connection("orders-dev", POSTGRES, DEV),
            new Connection("orders-staging-a", POSTGRES, STAGING),
            new Connection("orders-staging-b", POSTGRES, STAGING),
            new Connection("orders-prod-admin", POSTGRES, PROD),
            new Connection("vault-prod", VAULT, PROD));

    /** Tiers, then one role whose tier entries start at line 8. */
    private static final String HEAD = """
            tiers:
              dev:     { max_ttl: 1h, default_ttl: 1h }
              staging: { max_ttl: 1h, default_ttl: 1h }
              prod:    { max_ttl: 1h, default_ttl: 1h }
            database_roles:
              orders-readonly:
                scope: db:orders:read
            """;

    private static PolicyDocument parse(String roleTiers) throws PolicyFileException {
        return PolicyFileLoader.parse(HEAD + roleTiers, LABEL, CATALOG);
    }

    private static RoleBackend only(PolicyDocument doc, Tier tier) {
        return doc.databaseRole("orders-readonly", tier).orElseThrow().backend();
    }

    // --- typed roles -------------------------------------------------------------------------

    @Test
    void rolesLoadTypedWithTheConnectionsTheyName() throws Exception {
        PolicyDocument doc = parse("""
                    dev:
                      provider: postgres
                      connection: orders-dev
                      grants: ["SELECT ON ALL TABLES IN SCHEMA public", "USAGE ON SCHEMA public"]
                      in_roles: [orders_readers, reporting]
                    prod: { provider: vault, connection: vault-prod, role: orders-ro }
                """);

        assertThat(doc.databaseRoles().get("orders-readonly")).isEqualTo(new DatabaseRole("orders-readonly",
                Scope.parse("db:orders:read"), java.util.Map.of(
                        DEV, new PostgresRole(Optional.of("orders-dev"),
                                List.of("SELECT ON ALL TABLES IN SCHEMA public", "USAGE ON SCHEMA public"),
                                List.of("orders_readers", "reporting")),
                        PROD, new VaultRole(Optional.of("vault-prod"), "orders-ro"))));
    }

    @Test
    void grantsWrittenAsOneStringAreOneClauseAndInRolesMayBeLeftOut() throws Exception {
        PostgresRole dev = (PostgresRole) only(parse("""
                    dev: { provider: postgres, grants: "SELECT, INSERT ON TABLE orders" }
                """), DEV);

        assertThat(dev.grants()).containsExactly("SELECT, INSERT ON TABLE orders");
        assertThat(dev.inRoles()).isEmpty();
    }

    @Test
    void leftOutConnectionIsTheTiersOnlyOneOfThatProvider() throws Exception {
        PolicyDocument doc = parse("""
                    dev:  { provider: postgres, grants: "SELECT ON TABLE orders" }
                    prod: { provider: vault, role: orders-ro }
                """);

        assertThat(doc.databaseRole("orders-readonly", DEV).orElseThrow().connection()).contains("orders-dev");
        assertThat(doc.databaseRole("orders-readonly", PROD).orElseThrow().connection()).contains("vault-prod");
    }

    @Test
    void leftOutConnectionWhereTheTierHasNoneLoadsUnresolved() throws Exception {
        ResolvedRole staging = PolicyFileLoader.parse(HEAD + """
                    staging: { provider: vault, role: orders-ro }
                """, LABEL, CATALOG).databaseRole("orders-readonly", STAGING).orElseThrow();

        assertThat(staging.connection()).isEmpty();
        assertThat(staging.provider()).isEqualTo(VAULT);
    }

    @Test
    void sampleLoadsWithoutDeploymentFileWithItsRolesUnresolved() throws Exception {
        PolicyDocument doc = PolicyFileLoader.load(SAMPLE);

        ResolvedRole dev = doc.databaseRole("orders-readonly", DEV).orElseThrow();
        assertThat(dev).isEqualTo(new ResolvedRole("orders-readonly", Scope.parse("db:orders:read"), DEV,
                new PostgresRole(Optional.empty(), List.of("SELECT ON ALL TABLES IN SCHEMA public"), List.of())));
        assertThat(dev.connection()).isEmpty();
        assertThat(doc.databaseRole("orders-readonly", PROD).orElseThrow().backend())
                .isEqualTo(new VaultRole(Optional.empty(), "orders-ro"));
    }

    @Test
    void noRoleForAnUnknownNameOrATierTheRoleDoesNotList() throws Exception {
        DocumentPolicy policy = new DocumentPolicy(parse("""
                    dev: { provider: postgres, grants: "SELECT ON TABLE orders" }
                """));

        assertThat(policy.databaseRole("orders-readonly", DEV)).isPresent();
        assertThat(policy.databaseRole("orders-readonly", PROD)).isEmpty();
        assertThat(policy.databaseRole("orders-admin", DEV)).isEmpty();
    }

    // --- the syntax hook ---------------------------------------------------------------------

    /** Records what it is asked; refuses the clause or role named {@code refused}. */
    private static final class RecordingSyntax implements DatabaseRoleSyntax {
        final List<String> calls = new ArrayList<>();
        private final String refused;

        RecordingSyntax(String refused) {
            this.refused = refused;
        }

        @Override
        public void checkGrants(List<String> clauses) {
            calls.add("grants " + clauses);
            if (clauses.contains(refused)) {
                throw new IllegalArgumentException("not a grant the parser knows");
            }
        }

        @Override
        public void checkGroupRole(String name) {
            calls.add("role " + name);
            if (name.equals(refused)) {
                throw new IllegalArgumentException("not a role name");
            }
        }
    }

    private static final String TWO_GRANTS_TWO_ROLES = """
                dev:
                  provider: postgres
                  grants:
                    - SELECT ON TABLE orders
                    - TRUNCATE ON TABLE orders
                  in_roles: [readers, writers]
            """;

    @Test
    void syntaxIsAskedAboutEachClauseThenTheListAndEachGroupRole() throws Exception {
        RecordingSyntax syntax = new RecordingSyntax("none");

        PolicyFileLoader.parse(HEAD + TWO_GRANTS_TWO_ROLES, LABEL, CATALOG, syntax);

        assertThat(syntax.calls).containsExactly("grants [SELECT ON TABLE orders]", "grants [TRUNCATE ON TABLE orders]",
                "grants [SELECT ON TABLE orders, TRUNCATE ON TABLE orders]", "role readers", "role writers");
    }

    @Test
    void clauseTheSyntaxRefusesIsReportedAtItsOwnLine() {
        assertThatThrownBy(() -> PolicyFileLoader.parse(HEAD + TWO_GRANTS_TWO_ROLES, LABEL, CATALOG,
                new RecordingSyntax("TRUNCATE ON TABLE orders")))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage("policy.yaml:12:11: database_roles.orders-readonly.dev.grants: not a grant the parser"
                        + " knows");
    }

    @Test
    void groupRoleTheSyntaxRefusesIsReportedAtItsOwnColumn() {
        assertThatThrownBy(() -> PolicyFileLoader.parse(HEAD + TWO_GRANTS_TWO_ROLES, LABEL, CATALOG,
                new RecordingSyntax("writers")))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage("policy.yaml:13:27: database_roles.orders-readonly.dev.in_roles: not a role name");
    }

    // --- rejections --------------------------------------------------------------------------

    static Stream<Arguments> rejections() {
        String at = "policy.yaml:";
        String dev = "database_roles.orders-readonly.dev";
        return Stream.of(
                row("provider missing", "    dev: { grants: \"SELECT ON TABLE orders\" }\n",
                        at + "8:5: " + dev + ": the key 'provider' is required"),
                row("provider in capitals", "    dev: { provider: Postgres, grants: \"SELECT ON TABLE orders\" }\n",
                        at + "8:22: " + dev + ".provider: must be postgres or vault"),
                row("unknown key", "    dev: { provider: postgres, grants: \"SELECT ON TABLE orders\", schema: public }\n",
                        at + "8:66: " + dev + ".schema: unknown key (expected one of connection, grants, in_roles,"
                                + " provider, role)"),
                row("tier entry a single value", "    dev: postgres\n",
                        at + "8:10: " + dev + ": must be a mapping of keys to values"),
                row("postgres without grants", "    dev: { provider: postgres, in_roles: [readers] }\n",
                        at + "8:5: " + dev + ": the key 'grants' is required"),
                row("postgres with a Vault role", "    dev: { provider: postgres, grants: \"SELECT ON TABLE t\", role: ro }\n",
                        at + "8:61: " + dev + ".role: provider postgres takes grants and in_roles, not role"),
                row("vault with grants", "    prod: { provider: vault, role: ro, grants: \"SELECT ON TABLE t\" }\n",
                        at + "8:40: database_roles.orders-readonly.prod.grants: provider vault takes role, not grants"),
                row("vault with in_roles", "    prod: { provider: vault, role: ro, in_roles: [readers] }\n",
                        at + "8:40: database_roles.orders-readonly.prod.in_roles: provider vault takes role, not"
                                + " in_roles"),
                row("vault without role", "    prod: { provider: vault }\n",
                        at + "8:5: database_roles.orders-readonly.prod: the key 'role' is required"),
                row("vault role with a slash", "    prod: { provider: vault, role: orders/ro }\n",
                        at + "8:36: database_roles.orders-readonly.prod.role: 'orders/ro' is not a Vault role: a Vault"
                                + " role is 1 to 128 of A-Z a-z 0-9 _ -"),
                row("grants an empty list", "    dev: { provider: postgres, grants: [] }\n",
                        at + "8:40: " + dev + ".grants: list at least one grant"),
                row("grants a mapping", "    dev: { provider: postgres, grants: { select: orders } }\n",
                        at + "8:40: " + dev + ".grants: must be a grant or a list of grants"),
                row("in_roles a single value", "    dev: { provider: postgres, grants: \"SELECT ON TABLE t\", in_roles: r }\n",
                        at + "8:71: " + dev + ".in_roles: must be a list"),
                row("second grant with a statement separator",
                        "    dev:\n      provider: postgres\n      grants:\n        - SELECT ON TABLE orders\n"
                                + "        - SELECT ON TABLE t; DROP TABLE t\n",
                        at + "12:11: " + dev + ".grants: grants[0]: grant rejected at column 18: ';' is a statement"
                                + " separator: a grant is one clause (give several as a list)"),
                row("grant with a comment", "    dev: { provider: postgres, grants: \"SELECT ON TABLE t -- x\" }\n",
                        at + "8:40: " + dev + ".grants: grants[0]: grant rejected at column 19: comments are not allowed"),
                row("grant with a quoted name", "    dev: { provider: postgres, grants: 'SELECT ON \"Orders\"' }\n",
                        at + "8:40: " + dev + ".grants: grants[0]: grant rejected at column 11: quoted names are not"
                                + " supported: write names unquoted, in lower case"),
                row("group role with a space",
                        "    dev: { provider: postgres, grants: \"SELECT ON TABLE t\", in_roles: [\"r WITH ADMIN\"] }\n",
                        at + "8:72: " + dev + ".in_roles: group role 'r WITH ADMIN' is not a plain lower-case name: a"
                                + " letter or '_', then letters, digits, '_' or '$', unquoted"),
                row("connection in capitals",
                        "    dev: { provider: postgres, connection: Orders-Dev, grants: \"SELECT ON TABLE t\" }\n",
                        at + "8:44: " + dev + ".connection: " + ConnectionCatalog.NAME_RULE),
                row("connection not in the deployment",
                        "    dev: { provider: postgres, connection: orders-qa, grants: \"SELECT ON TABLE t\" }\n",
                        at + "8:44: " + dev + ".connection: connection orders-qa is not defined under backends in"
                                + " the deployment file (postgres connections of tier dev: orders-dev)"),
                row("connection not in the deployment, none for the tier",
                        "    dev: { provider: vault, connection: vault-dev, role: ro }\n",
                        at + "8:41: " + dev + ".connection: connection vault-dev is not defined under backends in"
                                + " the deployment file (it has no vault connection for tier dev)"),
                row("dev role on a prod database",
                        "    dev: { provider: postgres, connection: orders-prod-admin, grants: \"SELECT ON TABLE t\" }\n",
                        at + "8:44: " + dev + ".connection: connection orders-prod-admin serves tier prod, not dev:"
                                + " a dev role cannot use a prod database"),
                row("postgres role on a Vault connection",
                        "    prod: { provider: postgres, connection: vault-prod, grants: \"SELECT ON TABLE t\" }\n",
                        at + "8:45: database_roles.orders-readonly.prod.connection: connection vault-prod is a vault"
                                + " connection, not postgres"),
                row("connection left out where the tier has several",
                        "    dev: { provider: postgres, grants: \"SELECT ON TABLE t\" }\n"
                                + "    staging: { provider: postgres, grants: \"SELECT ON TABLE t\" }\n",
                        at + "9:5: database_roles.orders-readonly.staging: tier staging has several postgres"
                                + " connections; name one of: orders-staging-a, orders-staging-b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsInvalidRoleWithALinePreciseMessage(String name, String roleTiers, String expected) {
        assertThatThrownBy(() -> parse(roleTiers))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage(expected);
    }

    @Test
    void namedConnectionWithoutDeploymentFileIsALoadError() {
        String yaml = HEAD + "    dev: { provider: postgres, connection: orders-dev, grants: \"SELECT ON TABLE t\" }\n";

        assertThatThrownBy(() -> PolicyFileLoader.parse(yaml, LABEL))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage("policy.yaml:8:44: database_roles.orders-readonly.dev.connection: connection orders-dev"
                        + " is not defined under backends in the deployment file (there is no deployment file, or it"
                        + " has no backends)");
    }

    private static Arguments row(String name, String roleTiers, String expected) {
        return Arguments.of(name, roleTiers, expected);
    }
}
