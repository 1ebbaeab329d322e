package dev.stint.broker.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.stint.broker.http.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deployment file is read strictly; every rejection names file, line, column and key path,
 * and no message or printed value ever holds the password.
 */
class DeploymentFileTest {

    private static final String LABEL = "deploy.yaml";
    private static final String FILE_SECRET = "file-Secret-7f3a";
    private static final String ENV_SECRET = "env-Secret-91c2";
    private static final Map<String, String> ENV = Map.of("STINT_STORE_PASSWORD", ENV_SECRET, "BLANK", "");

    /** host, database and user, then a password from the environment: the smallest valid store. */
    private static final String MINIMAL = """
            store:
              postgres:
                host: db.internal
                database: stint
                user: stint
                password_env: STINT_STORE_PASSWORD
            """;

    @TempDir
    static Path dir;

    @BeforeAll
    static void passwordFiles() throws Exception {
        Files.writeString(dir.resolve("store.pass"), FILE_SECRET + "\n\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("crlf.pass"), FILE_SECRET + "\r\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("empty.pass"), "", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("newlines.pass"), "\n\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("huge.pass"), "x".repeat(Secrets.MAX_FILE_BYTES + 1), StandardCharsets.UTF_8);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            for (String file : List.of("store.pass", "crlf.pass")) {
                Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString("rw-------"));
            }
        }
    }

    private static Deployment parse(String yaml) throws DeploymentFileException {
        return DeploymentFile.parse(yaml, LABEL, ENV, dir);
    }

    private static PostgresSettings postgres(String yaml) throws DeploymentFileException {
        return parse(yaml).postgres().orElseThrow();
    }

    // --- valid files -------------------------------------------------------------------------

    @Test
    void fullFileLoadsEveryValue() throws Exception {
        PostgresSettings pg = postgres("""
                store:
                  postgres:
                    host: db.internal
                    port: 6432
                    database: orders
                    user: stint_broker
                    password_file: store.pass
                    pool_size: 40
                    ssl_mode: verify-full
                """);

        assertThat(pg).isEqualTo(new PostgresSettings("db.internal", 6432, "orders", "stint_broker", FILE_SECRET,
                SslMode.VERIFY_FULL, 40));
    }

    @Test
    void leftOutValuesTakeTheirDefaults() throws Exception {
        PostgresSettings pg = postgres(MINIMAL);

        assertThat(pg.port()).isEqualTo(5432);
        assertThat(pg.poolSize()).isEqualTo(16);
        assertThat(pg.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(pg.password()).isEqualTo(ENV_SECRET);
    }

    @Test
    void fileWithoutStoreKeepsTheEmbeddedStore() throws Exception {
        assertThat(parse("# nothing to configure yet\n{}\n")).isEqualTo(Deployment.NONE);
    }

    @Test
    void fileWithOnlyAStoreHasNoBackends() throws Exception {
        assertThat(parse(MINIMAL).backends()).isEqualTo(Backends.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"store.pass", "crlf.pass"})
    void passwordFileLosesItsTrailingLineBreaks(String file) throws Exception {
        PostgresSettings pg = postgres(MINIMAL.replace("password_env: STINT_STORE_PASSWORD", "password_file: " + file));

        assertThat(pg.password()).isEqualTo(FILE_SECRET);
    }

    @Test
    void absolutePasswordFileIsReadWherever() throws Exception {
        Path file = dir.resolve("store.pass").toAbsolutePath();

        PostgresSettings pg = DeploymentFile.parse(withFile(file.toString()), LABEL, ENV, Path.of("/nonexistent"))
                .postgres().orElseThrow();

        assertThat(pg.password()).isEqualTo(FILE_SECRET);
    }

    @Test
    void loadReadsRelativePasswordFilesNextToTheDeploymentFile(@TempDir Path other) throws Exception {
        Path config = other.resolve("deploy.yaml");
        Files.writeString(other.resolve("mine.pass"), "pw-next-to-it\n", StandardCharsets.UTF_8);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(other.resolve("mine.pass"), PosixFilePermissions.fromString("rw-------"));
        }
        Files.writeString(config, MINIMAL.replace("password_env: STINT_STORE_PASSWORD", "password_file: mine.pass"),
                StandardCharsets.UTF_8);

        assertThat(DeploymentFile.load(config, Map.of()).postgres().orElseThrow().password())
                .isEqualTo("pw-next-to-it");
    }

    @Test
    void loadLabelsErrorsWithTheFileName(@TempDir Path other) throws Exception {
        Path config = other.resolve("team-deploy.yaml");
        Files.writeString(config, MINIMAL + "    port: 0\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> DeploymentFile.load(config, ENV))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessage("team-deploy.yaml:7:11: store.postgres.port: '0' is not a port (1-65535)");
    }

    @Test
    void loadRefusesAFileLargerThanTheLimitUnread(@TempDir Path other) throws Exception {
        Path config = other.resolve("huge.yaml");
        Files.writeString(config, "# " + "x".repeat(DeploymentFile.MAX_BYTES) + "\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> DeploymentFile.load(config, ENV))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessage("huge.yaml: larger than 65536 bytes");
    }

    @Test
    void loadRefusesAMissingFile(@TempDir Path other) {
        assertThatThrownBy(() -> DeploymentFile.load(other.resolve("absent.yaml"), ENV))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageStartingWith("absent.yaml: cannot be read: ");
    }

    // --- rejections --------------------------------------------------------------------------

    static Stream<Arguments> rejections() {
        return Stream.of(
                row("unknown top-level key", MINIMAL + "notifications:\n  slack: {}\n",
                        "deploy.yaml:7:1: notifications: unknown key (expected one of backends, federation, notify, sign_in, store)"),
                row("unknown key under postgres", MINIMAL + "    schema: public\n",
                        "deploy.yaml:7:5: store.postgres.schema: unknown key (expected one of database, host,"
                                + " password_env, password_file, pool_size, port, ssl_mode, user)"),
                row("unknown store", "store:\n  mysql: {}\n",
                        "deploy.yaml:2:3: store.mysql: unknown key (expected one of postgres)"),
                row("store with nothing in it", "store:\n",
                        "deploy.yaml:1:1: store: must name a store (postgres); leave 'store' out to keep the"
                                + " embedded store"),
                row("store an empty mapping", "store: {}\n",
                        "deploy.yaml:1:1: store: must name a store (postgres); leave 'store' out to keep the"
                                + " embedded store"),
                row("postgres with nothing in it", "store:\n  postgres:\n",
                        "deploy.yaml:2:3: store.postgres: must be a mapping of keys to values"),
                row("postgres a single value", "store:\n  postgres: localhost\n",
                        "deploy.yaml:2:13: store.postgres: must be a mapping of keys to values"),
                row("host missing", without(MINIMAL, "host"),
                        "deploy.yaml:2:3: store.postgres: the key 'host' is required"),
                row("host empty", MINIMAL.replace("host: db.internal", "host: ''"),
                        "deploy.yaml:3:11: store.postgres.host: must not be empty"),
                row("host with a space", MINIMAL.replace("host: db.internal", "host: db internal"),
                        "deploy.yaml:3:11: store.postgres.host: must be a host name, an IPv4 address or an IPv6"
                                + " address without brackets (letters, digits, '.', '-', '_', ':'; no spaces or"
                                + " control characters)"),
                row("host adding URL parameters", MINIMAL.replace("host: db.internal", "host: db?sslmode=disable"),
                        "deploy.yaml:3:11: store.postgres.host: must be a host name, an IPv4 address or an IPv6"
                                + " address without brackets (letters, digits, '.', '-', '_', ':'; no spaces or"
                                + " control characters)"),
                row("port too large", MINIMAL + "    port: 70000\n",
                        "deploy.yaml:7:11: store.postgres.port: '70000' is not a port (1-65535)"),
                row("port zero", MINIMAL + "    port: 0\n",
                        "deploy.yaml:7:11: store.postgres.port: '0' is not a port (1-65535)"),
                row("port not a number", MINIMAL + "    port: postgres\n",
                        "deploy.yaml:7:11: store.postgres.port: 'postgres' is not a port (1-65535)"),
                row("port a list", MINIMAL + "    port: [5432]\n",
                        "deploy.yaml:7:11: store.postgres.port: must be a single value"),
                row("database missing", without(MINIMAL, "database"),
                        "deploy.yaml:2:3: store.postgres: the key 'database' is required"),
                row("database longer than 63 characters",
                        MINIMAL.replace("database: stint", "database: " + "d".repeat(64)),
                        "deploy.yaml:4:15: store.postgres.database: must be 1-63 characters without control"
                                + " characters"),
                row("database with a NUL", MINIMAL.replace("database: stint", "database: \"st\\0int\""),
                        "deploy.yaml:4:15: store.postgres.database: must be 1-63 characters without control"
                                + " characters"),
                row("user missing", without(MINIMAL, "user"),
                        "deploy.yaml:2:3: store.postgres: the key 'user' is required"),
                row("user empty", MINIMAL.replace("user: stint", "user: \"\""),
                        "deploy.yaml:5:11: store.postgres.user: must be 1-63 characters without control characters"),
                row("pool_size zero", MINIMAL + "    pool_size: 0\n",
                        "deploy.yaml:7:16: store.postgres.pool_size: '0' is not a pool size (1-200)"),
                row("pool_size 500", MINIMAL + "    pool_size: 500\n",
                        "deploy.yaml:7:16: store.postgres.pool_size: '500' is not a pool size (1-200)"),
                row("pool_size not a number", MINIMAL + "    pool_size: x\n",
                        "deploy.yaml:7:16: store.postgres.pool_size: 'x' is not a pool size (1-200)"),
                row("ssl_mode unknown", MINIMAL + "    ssl_mode: on\n",
                        "deploy.yaml:7:15: store.postgres.ssl_mode: 'on' is not an ssl_mode (disable, allow, prefer,"
                                + " require, verify-ca, verify-full)"),
                row("ssl_mode in capitals", MINIMAL + "    ssl_mode: REQUIRE\n",
                        "deploy.yaml:7:15: store.postgres.ssl_mode: 'REQUIRE' is not an ssl_mode (disable, allow,"
                                + " prefer, require, verify-ca, verify-full)"),
                row("both password_file and password_env", MINIMAL + "    password_file: store.pass\n",
                        "deploy.yaml:7:5: store.postgres.password_file: use either password_file or password_env,"
                                + " not both"),
                row("neither password_file nor password_env", without(MINIMAL, "password_env"),
                        "deploy.yaml:2:3: store.postgres: the key 'password_file' or 'password_env' is required"),
                row("inline password", MINIMAL + "    password: " + FILE_SECRET + "\n",
                        "deploy.yaml:7:5: store.postgres.password: never write the password here; use password_file"
                                + " or password_env"),
                row("password_env not set", MINIMAL.replace("STINT_STORE_PASSWORD", "STINT_PG_PASS"),
                        "deploy.yaml:6:19: store.postgres.password_env: the environment variable STINT_PG_PASS is"
                                + " not set"),
                row("password_env empty", MINIMAL.replace("STINT_STORE_PASSWORD", "BLANK"),
                        "deploy.yaml:6:19: store.postgres.password_env: the environment variable BLANK is empty"),
                row("password_env not a variable name", MINIMAL.replace("STINT_STORE_PASSWORD", "'A B'"),
                        "deploy.yaml:6:19: store.postgres.password_env: 'A B' is not an environment variable name"),
                row("password_file missing", withFile("absent.pass"),
                        "deploy.yaml:6:20: store.postgres.password_file: cannot read {dir}/absent.pass: no such file"),
                row("password_file empty", withFile("empty.pass"),
                        "deploy.yaml:6:20: store.postgres.password_file: {dir}/empty.pass is empty"),
                row("password_file only line breaks", withFile("newlines.pass"),
                        "deploy.yaml:6:20: store.postgres.password_file: {dir}/newlines.pass is empty"),
                row("password_file too large", withFile("huge.pass"),
                        "deploy.yaml:6:20: store.postgres.password_file: {dir}/huge.pass is larger than 4096 bytes;"
                                + " it should hold the password alone"),
                row("password_file a directory", withFile("."),
                        "deploy.yaml:6:20: store.postgres.password_file: {dir}/. is not a regular file"),
                row("password_file empty value", withFile("''"),
                        "deploy.yaml:6:20: store.postgres.password_file: must not be empty"),
                row("YAML syntax error", "store:\n  postgres: { host: db\n",
                        "deploy.yaml:3:1: not valid YAML: expected ',' or '}', but got <stream end>"),
                row("repeated key", MINIMAL + "    host: other.internal\n",
                        "deploy.yaml:7:5: store.postgres.host: repeated key"),
                row("repeated top-level key", MINIMAL + "store: {}\n",
                        "deploy.yaml:7:1: store: repeated key"),
                row("empty file", "",
                        "deploy.yaml: the deployment file is empty"),
                row("only a comment", "# store goes here\n",
                        "deploy.yaml: the deployment file is empty"),
                row("top level a list", "- store\n",
                        "deploy.yaml:1:1: (top level): must be a mapping of keys to values"),
                row("top level a scalar", "store\n",
                        "deploy.yaml:1:1: (top level): must be a mapping of keys to values"),
                row("larger than the limit", "# " + "x".repeat(DeploymentFile.MAX_BYTES) + "\n",
                        "deploy.yaml: larger than 65536 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsInvalidFileWithALinePreciseMessage(String name, String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessage(expected.replace("{dir}", dir.toString()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void noRejectionShowsAPassword(String name, String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageNotContaining(FILE_SECRET).hasMessageNotContaining(ENV_SECRET);
    }

    // --- secrets stay secret -----------------------------------------------------------------

    @Test
    void printedSettingsLeaveThePasswordOut() throws Exception {
        Deployment deployment = parse(MINIMAL);

        assertThat(deployment.toString()).doesNotContain(ENV_SECRET).contains("password=(hidden)");
        assertThat(deployment.postgres().orElseThrow().toString())
                .isEqualTo("PostgresSettings[host=db.internal, port=5432, database=stint, user=stint,"
                        + " password=(hidden), sslMode=prefer, poolSize=16]");
    }

    @Test
    void passwordFileReadableByOthersIsWarnedAboutByNameNotContent(@TempDir Path other) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path file = other.resolve("open.pass");
        Files.writeString(file, FILE_SECRET, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        List<ILoggingEvent> warnings = warningsWhile(() -> postgres(withFile(file.toString())));

        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains(file.toString()).doesNotContain(FILE_SECRET);
    }

    @Test
    void passwordFileOnlyItsOwnerReadsPassesWithoutWarning(@TempDir Path other) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path file = other.resolve("closed.pass");
        Files.writeString(file, FILE_SECRET, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThat(warningsWhile(() -> postgres(withFile(file.toString())))).isEmpty();
    }

    // --- the connection URL ------------------------------------------------------------------

    @Test
    void urlHoldsHostPortAndDatabaseAndNothingElse() throws Exception {
        PostgresSettings pg = postgres(MINIMAL + "    ssl_mode: require\n");

        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/stint");
        Properties properties = pg.jdbcProperties();
        assertThat(properties).containsOnly(Map.entry("user", "stint"), Map.entry("password", ENV_SECRET),
                Map.entry("sslmode", "require"));
    }

    @Test
    void ipv6HostIsBracketed() throws Exception {
        PostgresSettings pg = postgres(MINIMAL.replace("host: db.internal", "host: ::1"));

        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/stint");
        assertThat(org.postgresql.Driver.parseURL(pg.jdbcUrl(), new Properties()))
                .containsEntry("PGHOST", "[::1]").containsEntry("PGPORT", "5432");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"orders?user=x | orders%3Fuser%3Dx", "a/b | a%2Fb",
            "x&sslmode=disable | x%26sslmode%3Ddisable", "with space | with%20space", "plus+sign | plus%2Bsign",
            "per%cent | per%25cent"})
    void databaseNameIsEncodedAndCannotAddParameters(String database, String encoded) throws Exception {
        PostgresSettings pg = postgres(MINIMAL.replace("database: stint", "database: '" + database + "'"));

        Properties parsed = org.postgresql.Driver.parseURL(pg.jdbcUrl(), new Properties());

        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/" + encoded);
        assertThat(parsed).isNotNull().containsEntry("PGDBNAME", database)
                .doesNotContainKeys("user", "password", "sslmode");
    }

    @Test
    void settingsBuiltInCodeAreCheckedToo() {
        assertThatThrownBy(() -> new PostgresSettings("db,evil", 5432, "stint", "stint", "pw", SslMode.PREFER, 16))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PostgresSettings("db", 5432, "stint", "stint", "", SslMode.PREFER, 16))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Deployment(Optional.empty(), Backends.NONE)).isEqualTo(Deployment.NONE);
    }

    // --- helpers -----------------------------------------------------------------------------

    private static Arguments row(String name, String yaml, String expected) {
        return Arguments.of(name, yaml, expected);
    }

    private static String without(String yaml, String key) {
        return yaml.lines().filter(line -> !line.trim().startsWith(key + ":"))
                .reduce("", (text, line) -> text + line + "\n");
    }

    private static String withFile(String file) {
        return MINIMAL.replace("password_env: STINT_STORE_PASSWORD", "password_file: " + file);
    }

    private interface Action {
        void run() throws Exception;
    }

    private static List<ILoggingEvent> warningsWhile(Action action) throws Exception {
        try (LogCapture log = new LogCapture(Secrets.class)) {
            action.run();
            return log.warnings();
        }
    }


    // federation

    @Test
    void loopbackHttpIssuersAreListed() throws Exception {
        Deployment deployment = parse("federation:\n  allow_http_issuers: [\"http://127.0.0.1:8099/gh\","
                + " \"http://localhost:9000\", \"http://[::1]:7000\"]\n");

        assertThat(deployment.federation().allowHttpIssuers()).containsExactlyInAnyOrder("http://127.0.0.1:8099/gh",
                "http://localhost:9000", "http://[::1]:7000");
        assertThat(deployment.federation().allows("http://127.0.0.1:8099/gh")).isTrue();
        assertThat(deployment.federation().allows("http://127.0.0.1:8099")).isFalse();
        assertThat(deployment.federation().allows("https://token.actions.githubusercontent.com")).isTrue();
    }

    @Test
    void withoutAFederationSectionNoHttpIssuerIsAllowed() throws Exception {
        assertThat(parse(MINIMAL).federation().allows("http://127.0.0.1:8099")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://ci.example.com|plain http is allowed on loopback only",
            "http://10.0.0.5:8080|plain http is allowed on loopback only",
            "https://ci.example.com|must be an http URL",
            "http://user@127.0.0.1:8099|must be an http URL",
            "http://127.0.0.1:8099/?q=1|must be an http URL"})
    void nonLoopbackOrOddHttpIssuerIsRefusedAtItsLine(String issuer, String message) {
        assertThatThrownBy(() -> parse("federation:\n  allow_http_issuers:\n    - \"" + issuer + "\"\n"))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageStartingWith(LABEL + ":3:7: federation.allow_http_issuers: ")
                .hasMessageContaining(message);
    }

    @Test
    void unknownFederationKeyIsRefused() {
        assertThatThrownBy(() -> parse("federation:\n  allow_insecure: true\n"))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessage(LABEL + ":2:3: federation.allow_insecure: unknown key (expected one of allow_http_issuers)");
    }
}
