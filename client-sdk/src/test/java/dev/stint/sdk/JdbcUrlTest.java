package dev.stint.sdk;

import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The JDBC URL names the server and database exactly, whatever characters they hold, and nothing else. */
class JdbcUrlTest {

    record Row(String name, String host, int port, String database, String url) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> urls() {
        return Stream.of(
                new Row("host name", "db.internal", 5432, "orders", "jdbc:postgresql://db.internal:5432/orders"),
                new Row("IPv4 address", "10.0.0.5", 6432, "orders", "jdbc:postgresql://10.0.0.5:6432/orders"),
                new Row("IPv6 loopback", "::1", 5432, "orders", "jdbc:postgresql://[::1]:5432/orders"),
                new Row("IPv6 address", "2001:db8::10", 5432, "orders", "jdbc:postgresql://[2001:db8::10]:5432/orders"),
                new Row("IPv4-mapped IPv6 address", "::ffff:10.0.0.5", 5432, "orders",
                        "jdbc:postgresql://[::ffff:10.0.0.5]:5432/orders"),
                new Row("database with a space", "db.internal", 5432, "orders eu",
                        "jdbc:postgresql://db.internal:5432/orders%20eu"),
                new Row("database with URL syntax", "db.internal", 5432, "a+b/c?d#e&f=g%h",
                        "jdbc:postgresql://db.internal:5432/a%2Bb%2Fc%3Fd%23e%26f%3Dg%25h"),
                new Row("database with non-ASCII letters", "db.internal", 5432, "\u00f6rd\u00e9rs",
                        "jdbc:postgresql://db.internal:5432/%C3%B6rd%C3%A9rs"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("urls")
    void jdbcUrlBracketsIpv6AndEncodesDatabase(Row row) {
        DatabaseCredentials c = credentials(row.host(), row.port(), row.database());

        assertThat(c.jdbcUrl()).isEqualTo(row.url());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("urls")
    void encodedDatabaseDecodesToTheName(Row row) {
        String url = credentials(row.host(), row.port(), row.database()).jdbcUrl();
        String path = url.substring(url.indexOf('/', "jdbc:postgresql://".length()) + 1);

        // PgJDBC reads the database name with URLDecoder.
        assertThat(URLDecoder.decode(path, StandardCharsets.UTF_8)).isEqualTo(row.database());
    }

    @Test
    void hostThatCouldRewriteTheUrlIsRefused() {
        assertThatThrownBy(() -> credentials("db.internal/other?user=x", 5432, "orders"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("host is not a host name, an IPv4 address or an IPv6 address");
    }

    @Test
    void portOutsideTheTcpRangeIsRefused() {
        assertThatThrownBy(() -> credentials("db.internal", 0, "orders"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be between 1 and 65535");
    }

    private static DatabaseCredentials credentials(String host, int port, String database) {
        return new DatabaseCredentials("stint_dev_3f9a0c21d47be810", "pw", "lse_1", T0.plusSeconds(600), host, port,
                database, "orders-readonly", DEV);
    }
}
