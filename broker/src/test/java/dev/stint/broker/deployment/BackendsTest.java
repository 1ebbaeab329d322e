package dev.stint.broker.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.deployment.ConnectionCatalog.Connection;
import dev.stint.token.Tier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The deployment file's {@code backends}: one tier per connection, secrets only by file or
 * environment, names unique across providers, Vault's {@code sessions} in the same tier; every
 * rejection line-precise, and no message or printed value holding a secret.
 */
class BackendsTest {

    private static final String LABEL = "deploy.yaml";
    private static final String FILE_PASSWORD = "pg-file-Secret-5e1d";
    private static final String ENV_PASSWORD = "pg-env-Secret-77aa";
    private static final String FILE_TOKEN = "hvs.file-Token-a9f0";
    private static final String ENV_TOKEN = "hvs.env-Token-3c3c";
    private static final String URL_PASSWORD = "url-Secret-0b0b";
    private static final List<String> SECRETS = List.of(FILE_PASSWORD, ENV_PASSWORD, FILE_TOKEN, ENV_TOKEN,
            URL_PASSWORD);
    private static final Map<String, String> ENV = Map.of("ORDERS_PASSWORD", ENV_PASSWORD, "VAULT_TOKEN", ENV_TOKEN,
            "SPACEY_TOKEN", "hvs.two words", "BLANK", "");

    private static final Tier DEV = new Tier("dev");
    private static final Tier PROD = new Tier("prod");

    /** The example, with every optional key. */
    private static final String FULL = """
            backends:
              postgres:
                orders-dev:
                  tier: dev
                  host: 127.0.0.1
                  port: 5432
                  database: orders
                  admin_user: stint_admin
                  admin_password_file: orders-dev.pass
                orders-prod-admin:
                  tier: prod
                  host: db.prod.internal
                  port: 6432
                  database: orders
                  admin_user: stint_admin
                  admin_password_env: ORDERS_PASSWORD
                  ssl_mode: verify-full
              vault:
                vault-prod:
                  tier: prod
                  address: https://vault.prod.example:8200
                  namespace: ops
                  mount: database
                  token_file: vault-prod.token
                  sessions: orders-prod-admin
            """;

    /** One connection of each provider, only required keys; rows below change one line. */
    private static final String MINIMAL = """
            backends:
              postgres:
                orders-dev:
                  tier: dev
                  host: db.internal
                  database: orders
                  admin_user: stint_admin
                  admin_password_env: ORDERS_PASSWORD
              vault:
                vault-prod:
                  tier: prod
                  address: https://vault.example:8200
                  mount: database
                  token_env: VAULT_TOKEN
            """;

    @TempDir
    static Path dir;

    @BeforeAll
    static void secretFiles() throws Exception {
        Files.writeString(dir.resolve("orders-dev.pass"), FILE_PASSWORD + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("vault-prod.token"), FILE_TOKEN + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("two-lines.token"), "hvs.one\nhvs.two\n", StandardCharsets.UTF_8);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            for (String file : List.of("orders-dev.pass", "vault-prod.token", "two-lines.token")) {
                Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString("rw-------"));
            }
        }
    }

    private static Backends parse(String yaml) throws DeploymentFileException {
        return DeploymentFile.parse(yaml, LABEL, ENV, dir).backends();
    }

    // --- valid files -------------------------------------------------------------------------

    @Test
    void fullFileLoadsEveryConnectionWithItsSecrets() throws Exception {
        Backends backends = parse(FULL);

        assertThat(backends.postgres()).containsExactly(
                Map.entry("orders-dev", new PostgresBackend("orders-dev", DEV, "127.0.0.1", 5432, "orders",
                        "stint_admin", FILE_PASSWORD, SslMode.PREFER)),
                Map.entry("orders-prod-admin", new PostgresBackend("orders-prod-admin", PROD, "db.prod.internal",
                        6432, "orders", "stint_admin", ENV_PASSWORD, SslMode.VERIFY_FULL)));
        assertThat(backends.vault()).containsExactly(Map.entry("vault-prod", new VaultBackend("vault-prod", PROD,
                URI.create("https://vault.prod.example:8200"), Optional.of("ops"), "database", FILE_TOKEN,
                Optional.of("orders-prod-admin"))));
    }

    @Test
    void leftOutValuesTakeTheirDefaults() throws Exception {
        Backends backends = parse(MINIMAL);

        PostgresBackend pg = backends.postgres().get("orders-dev");
        assertThat(pg.port()).isEqualTo(5432);
        assertThat(pg.sslMode()).isEqualTo(SslMode.PREFER);
        VaultBackend vault = backends.vault().get("vault-prod");
        assertThat(vault.namespace()).isEmpty();
        assertThat(vault.sessions()).isEmpty();
        assertThat(vault.token()).isEqualTo(ENV_TOKEN);
    }

    @Test
    void aFileMayHoldBackendsWithoutAStore() throws Exception {
        Deployment deployment = DeploymentFile.parse(MINIMAL, LABEL, ENV, dir);

        assertThat(deployment.postgres()).isEmpty();
        assertThat(deployment.backends().postgres()).containsOnlyKeys("orders-dev");
    }

    @Test
    void sessionsMayNameAPostgresConnectionWrittenAfterIt() throws Exception {
        String vaultFirst = """
                backends:
                  vault:
                    vault-prod: { tier: prod, address: "https://vault.example", mount: database, token_env: VAULT_TOKEN,
                                  sessions: orders-prod }
                  postgres:
                    orders-prod: { tier: prod, host: db, database: orders, admin_user: a, admin_password_env: ORDERS_PASSWORD }
                """;

        assertThat(parse(vaultFirst).vault().get("vault-prod").sessions()).contains("orders-prod");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"http://127.0.0.1:8200, http://127.0.0.1:8200", "http://localhost:8200, http://localhost:8200",
            "http://[::1]:8200, http://[::1]:8200", "HTTPS://vault.example/, HTTPS://vault.example",
            "https://vault.example/prefix/, https://vault.example/prefix"})
    void vaultAddressIsHttpsOrLoopbackHttpWithoutATrailingSlash(String written, String used) throws Exception {
        Backends backends = parse(MINIMAL.replace("https://vault.example:8200", "'" + written + "'"));

        assertThat(backends.vault().get("vault-prod").address()).isEqualTo(URI.create(used));
    }

    // --- lookups -----------------------------------------------------------------------------

    @Test
    void catalogListsNamesProvidersAndTiersInFileOrder() throws Exception {
        ConnectionCatalog catalog = parse(FULL).catalog();

        assertThat(catalog.connections().values()).containsExactly(
                new Connection("orders-dev", BackendProvider.POSTGRES, DEV),
                new Connection("orders-prod-admin", BackendProvider.POSTGRES, PROD),
                new Connection("vault-prod", BackendProvider.VAULT, PROD));
        assertThat(catalog.names(PROD, BackendProvider.POSTGRES)).containsExactly("orders-prod-admin");
        assertThat(catalog.names(DEV, BackendProvider.VAULT)).isEmpty();
    }

    @Test
    void forTierFindsOnlyThatTiersConnectionsOfThatProvider() throws Exception {
        Backends backends = parse(FULL);

        assertThat(backends.forTier(PROD, BackendProvider.VAULT)).extracting(Backend::name).containsExactly("vault-prod");
        assertThat(backends.forTier(PROD, BackendProvider.POSTGRES)).extracting(Backend::name)
                .containsExactly("orders-prod-admin");
        assertThat(backends.forTier(DEV, BackendProvider.VAULT)).isEmpty();
        assertThat(backends.named("vault-prod")).map(Backend::provider).contains(BackendProvider.VAULT);
        assertThat(backends.named("orders-staging")).isEmpty();
    }

    @Test
    void noDeploymentHasNoConnections() {
        assertThat(Deployment.NONE.backends().catalog()).isEqualTo(ConnectionCatalog.EMPTY);
        assertThat(Deployment.NONE.backends().forTier(DEV, BackendProvider.POSTGRES)).isEmpty();
    }

    @Test
    void postgresBackendConnectsAsItsAdminRoleThroughTheStoresUrlRules() throws Exception {
        PostgresBackend pg = parse(FULL).postgres().get("orders-prod-admin");

        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.prod.internal:6432/orders");
        assertThat(pg.jdbcProperties()).containsOnly(Map.entry("user", "stint_admin"),
                Map.entry("password", ENV_PASSWORD), Map.entry("sslmode", "verify-full"));
    }

    // --- secrets stay secret -----------------------------------------------------------------

    @Test
    void printedBackendsLeaveEverySecretOut() throws Exception {
        Backends backends = parse(FULL);

        assertThat(backends.toString()).doesNotContain(FILE_PASSWORD, ENV_PASSWORD, FILE_TOKEN);
        assertThat(backends.postgres().get("orders-dev")).hasToString("PostgresBackend[name=orders-dev, tier=dev,"
                + " host=127.0.0.1, port=5432, database=orders, adminUser=stint_admin, adminPassword=(hidden),"
                + " sslMode=prefer]");
        assertThat(backends.vault().get("vault-prod")).hasToString("VaultBackend[name=vault-prod, tier=prod,"
                + " address=https://vault.prod.example:8200, namespace=ops, mount=database, token=(hidden),"
                + " sessions=orders-prod-admin]");
        assertThat(DeploymentFile.parse(FULL, LABEL, ENV, dir).toString()).doesNotContain(FILE_PASSWORD,
                ENV_PASSWORD, FILE_TOKEN);
    }

    // --- rejections --------------------------------------------------------------------------

    static Stream<Arguments> rejections() {
        String unique = "; connection names are unique across providers";
        String pathRule = "must be path segments of A-Z a-z 0-9 _ . - joined by /, without .., without a leading or"
                + " trailing /, at most 128 characters";
        String httpsOnly = "must use https: the token would cross the network in clear; http is allowed only for a"
                + " loopback address (127.0.0.1, ::1 or localhost)";
        return Stream.of(
                row("backends with nothing in it", "backends:\n",
                        "1:1: backends: must name a provider (postgres, vault); leave 'backends' out when there are"
                                + " none"),
                row("backends an empty mapping", "backends: {}\n",
                        "1:1: backends: must name a provider (postgres, vault); leave 'backends' out when there are"
                                + " none"),
                row("unknown provider", "backends:\n  mysql: {}\n",
                        "2:3: backends.mysql: unknown key (expected one of postgres, vault)"),
                row("provider without connections", "backends:\n  postgres: {}\n",
                        "2:3: backends.postgres: must name at least one connection; leave 'postgres' out when there"
                                + " are none"),
                row("connection name in capitals", MINIMAL.replace("orders-dev:", "Orders-Dev:"),
                        "3:5: backends.postgres.Orders-Dev: " + ConnectionCatalog.NAME_RULE),
                row("connection name of 64 characters", MINIMAL.replace("vault-prod:", "v".repeat(64) + ":"),
                        "10:5: backends.vault." + "v".repeat(64) + ": " + ConnectionCatalog.NAME_RULE),
                row("vault connection named like a postgres one", MINIMAL.replace("vault-prod:", "orders-dev:"),
                        "10:5: backends.vault.orders-dev: the name is already used by the postgres connection at"
                                + " line 3" + unique),
                row("postgres connection named like an earlier vault one", """
                        backends:
                          vault:
                            shared: { tier: prod, address: "https://v.example", mount: db, token_env: VAULT_TOKEN }
                          postgres:
                            shared: { tier: dev, host: db, database: o, admin_user: a, admin_password_env: ORDERS_PASSWORD }
                        """,
                        "5:5: backends.postgres.shared: the name is already used by the vault connection at line 3"
                                + unique),
                row("repeated connection", MINIMAL.replace("  vault:\n", "    orders-dev: {}\n  vault:\n"),
                        "9:5: backends.postgres.orders-dev: repeated key"),
                row("connection with nothing in it", "backends:\n  postgres:\n    orders-dev:\n",
                        "3:5: backends.postgres.orders-dev: must be a mapping of keys to values"),
                row("connection a single value", MINIMAL.replace("    vault-prod:\n", "    vault-prod: https://v\n"
                        + "    vault-old:\n"),
                        "10:17: backends.vault.vault-prod: must be a mapping of keys to values"),
                row("unknown key in a postgres connection", add(MINIMAL, 8, "      user: stint"),
                        "9:7: backends.postgres.orders-dev.user: unknown key (expected one of admin_password_env,"
                                + " admin_password_file, admin_user, database, host, port, ssl_mode, tier)"),
                row("unknown key in a vault connection", add(MINIMAL, 14, "      timeout: 5s"),
                        "15:7: backends.vault.vault-prod.timeout: unknown key (expected one of address, mount,"
                                + " namespace, sessions, tier, token_env, token_file)"),
                row("inline admin password", add(MINIMAL, 8, "      admin_password: " + FILE_PASSWORD),
                        "9:7: backends.postgres.orders-dev.admin_password: never write the password here; use"
                                + " admin_password_file or admin_password_env"),
                row("inline token", add(MINIMAL, 14, "      token: " + FILE_TOKEN),
                        "15:7: backends.vault.vault-prod.token: never write the token here; use token_file or"
                                + " token_env"),
                row("postgres tier missing", MINIMAL.replace("      tier: dev\n", ""),
                        "3:5: backends.postgres.orders-dev: the key 'tier' is required"),
                row("vault tier missing", MINIMAL.replace("      tier: prod\n", ""),
                        "10:5: backends.vault.vault-prod: the key 'tier' is required"),
                row("tier in capitals", MINIMAL.replace("tier: prod", "tier: Prod"),
                        "11:13: backends.vault.vault-prod.tier: 'Prod' is not a tier: tier names are 1-32 lower-case"
                                + " letters, digits or '-', starting with a letter"),
                row("two tiers", MINIMAL.replace("tier: dev", "tier: [dev, staging]"),
                        "4:13: backends.postgres.orders-dev.tier: must be a single value"),
                row("host adding URL parameters", MINIMAL.replace("host: db.internal", "host: db?sslmode=disable"),
                        "5:13: backends.postgres.orders-dev.host: must be a host name, an IPv4 address or an IPv6"
                                + " address without brackets (letters, digits, '.', '-', '_', ':'; no spaces or"
                                + " control characters)"),
                row("port too large", add(MINIMAL, 5, "      port: 70000"),
                        "6:13: backends.postgres.orders-dev.port: '70000' is not a port (1-65535)"),
                row("database longer than 63 characters", MINIMAL.replace("database: orders", "database: "
                        + "d".repeat(64)),
                        "6:17: backends.postgres.orders-dev.database: must be 1-63 characters without control"
                                + " characters"),
                row("admin_user missing", MINIMAL.replace("      admin_user: stint_admin\n", ""),
                        "3:5: backends.postgres.orders-dev: the key 'admin_user' is required"),
                row("ssl_mode unknown", add(MINIMAL, 8, "      ssl_mode: on"),
                        "9:17: backends.postgres.orders-dev.ssl_mode: 'on' is not an ssl_mode (disable, allow,"
                                + " prefer, require, verify-ca, verify-full)"),
                row("both admin password keys", add(MINIMAL, 8, "      admin_password_file: orders-dev.pass"),
                        "9:7: backends.postgres.orders-dev.admin_password_file: use either admin_password_file or"
                                + " admin_password_env, not both"),
                row("neither admin password key", MINIMAL.replace("      admin_password_env: ORDERS_PASSWORD\n", ""),
                        "3:5: backends.postgres.orders-dev: the key 'admin_password_file' or 'admin_password_env' is"
                                + " required"),
                row("admin_password_env not set", MINIMAL.replace("ORDERS_PASSWORD", "ORDERS_PG_PASS"),
                        "8:27: backends.postgres.orders-dev.admin_password_env: the environment variable"
                                + " ORDERS_PG_PASS is not set"),
                row("admin_password_file missing", MINIMAL.replace("admin_password_env: ORDERS_PASSWORD",
                        "admin_password_file: absent.pass"),
                        "8:28: backends.postgres.orders-dev.admin_password_file: cannot read {dir}/absent.pass: no"
                                + " such file"),
                row("address missing", MINIMAL.replace("      address: https://vault.example:8200\n", ""),
                        "10:5: backends.vault.vault-prod: the key 'address' is required"),
                row("address http to another host", MINIMAL.replace("https://vault.example", "http://vault.example"),
                        "12:16: backends.vault.vault-prod.address: " + httpsOnly),
                row("address http to a loopback address other than 127.0.0.1", MINIMAL.replace(
                        "https://vault.example", "http://127.0.0.2"),
                        "12:16: backends.vault.vault-prod.address: " + httpsOnly),
                row("address of another scheme", MINIMAL.replace("https://vault.example", "ftp://vault.example"),
                        "12:16: backends.vault.vault-prod.address: must be an https URL with a host, such as"
                                + " https://vault.example:8200"),
                row("address without a scheme", MINIMAL.replace("https://vault.example:8200", "vault.example"),
                        "12:16: backends.vault.vault-prod.address: must be an https URL with a host, such as"
                                + " https://vault.example:8200"),
                row("address with a password in it", MINIMAL.replace("https://vault.example",
                        "https://root:" + URL_PASSWORD + "@vault.example"),
                        "12:16: backends.vault.vault-prod.address: must not carry user info, a query or a fragment"),
                row("address with a query", MINIMAL.replace(":8200", ":8200/?x=1"),
                        "12:16: backends.vault.vault-prod.address: must not carry user info, a query or a fragment"),
                row("address not a URL", MINIMAL.replace("https://vault.example:8200", "'https://vault example'"),
                        "12:16: backends.vault.vault-prod.address: not a URL: Illegal character in authority"),
                row("namespace climbing out", add(MINIMAL, 12, "      namespace: ops/../root"),
                        "13:18: backends.vault.vault-prod.namespace: " + pathRule),
                row("mount with a leading slash", MINIMAL.replace("mount: database", "mount: /database"),
                        "13:14: backends.vault.vault-prod.mount: " + pathRule),
                row("mount missing", MINIMAL.replace("      mount: database\n", ""),
                        "10:5: backends.vault.vault-prod: the key 'mount' is required"),
                row("token with a space", MINIMAL.replace("token_env: VAULT_TOKEN", "token_env: SPACEY_TOKEN"),
                        "14:18: backends.vault.vault-prod.token_env: the environment variable SPACEY_TOKEN does not"
                                + " hold a token: a token is printable ASCII without spaces"),
                row("token file of two lines", MINIMAL.replace("token_env: VAULT_TOKEN",
                        "token_file: two-lines.token"),
                        "14:19: backends.vault.vault-prod.token_file: {dir}/two-lines.token does not hold a token:"
                                + " a token is printable ASCII without spaces"),
                row("token_env empty", MINIMAL.replace("token_env: VAULT_TOKEN", "token_env: BLANK"),
                        "14:18: backends.vault.vault-prod.token_env: the environment variable BLANK is empty"),
                row("both token keys", add(MINIMAL, 14, "      token_file: vault-prod.token"),
                        "15:7: backends.vault.vault-prod.token_file: use either token_file or token_env, not both"),
                row("neither token key", MINIMAL.replace("      token_env: VAULT_TOKEN\n", ""),
                        "10:5: backends.vault.vault-prod: the key 'token_file' or 'token_env' is required"),
                row("sessions naming no connection", add(MINIMAL, 14, "      sessions: orders-prod"),
                        "15:17: backends.vault.vault-prod.sessions: 'orders-prod' is not a connection under"
                                + " backends.postgres; sessions names the postgres connection where Vault's users"
                                + " live"),
                row("sessions naming a vault connection", add(MINIMAL, 14, "      sessions: vault-prod"),
                        "15:17: backends.vault.vault-prod.sessions: 'vault-prod' is not a connection under"
                                + " backends.postgres; sessions names the postgres connection where Vault's users"
                                + " live"),
                row("sessions in another tier", add(MINIMAL, 14, "      sessions: orders-dev"),
                        "15:17: backends.vault.vault-prod.sessions: postgres connection orders-dev serves tier dev,"
                                + " not prod: sessions must be a connection of the same tier"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsInvalidBackendsWithALinePreciseMessage(String name, String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessage(LABEL + ":" + expected.replace("{dir}", dir.toString()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void noRejectionShowsASecret(String name, String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(DeploymentFileException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRETS));
    }

    // --- built in code -----------------------------------------------------------------------

    @Test
    void backendsBuiltInCodeAreCheckedToo() throws Exception {
        PostgresBackend dev = parse(MINIMAL).postgres().get("orders-dev");
        VaultBackend prod = parse(MINIMAL).vault().get("vault-prod");
        VaultBackend sessionsInDev = new VaultBackend("vault-prod", PROD, prod.address(), Optional.empty(),
                "database", ENV_TOKEN, Optional.of("orders-dev"));
        VaultBackend sameName = new VaultBackend("orders-dev", PROD, prod.address(), Optional.empty(), "database",
                ENV_TOKEN, Optional.empty());

        assertThatThrownBy(() -> new Backends(Map.of("orders-dev", dev), Map.of("vault-prod", sessionsInDev)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the sessions of vault connection vault-prod must be a postgres connection of tier prod");
        assertThatThrownBy(() -> new Backends(Map.of("orders-dev", dev), Map.of("orders-dev", sameName)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the connection name orders-dev is used by both a postgres and a vault connection");
        assertThatThrownBy(() -> new VaultBackend("vault-prod", PROD, URI.create("http://vault.example"),
                Optional.empty(), "database", ENV_TOKEN, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VaultBackend("vault-prod", PROD, prod.address(), Optional.empty(), "database",
                "two words", Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("two words");
    }

    // --- helpers -----------------------------------------------------------------------------

    private static Arguments row(String name, String yaml, String expected) {
        return Arguments.of(name, yaml, expected);
    }

    /** {@code yaml} with {@code line} inserted after its line {@code after} (1-based). */
    private static String add(String yaml, int after, String line) {
        List<String> lines = new java.util.ArrayList<>(yaml.lines().toList());
        lines.add(after, line);
        return String.join("\n", lines) + "\n";
    }
}
