package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.pgroles.PostgresUnavailableException.Kind;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which kind each SQLSTATE is, and what a reason may quote. */
class PostgresRolesMessagesTest {

    private final Failures failures = new Failures("orders-dev (db:5432/orders)");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            42501 | UNAVAILABLE  | permission denied to create role        | MISCONFIGURED | orders-dev (db:5432/orders): create x failed: misconfigured: the admin user lacks CREATEROLE (permission denied to create role)
            28P01 | UNAVAILABLE  | password authentication failed for user | MISCONFIGURED | orders-dev (db:5432/orders): create x failed: misconfigured: the admin login was refused (password authentication failed for user)
            3F000 | UNAVAILABLE  | schema "nosuch" does not exist          | MISCONFIGURED | orders-dev (db:5432/orders): create x failed: misconfigured: schema "nosuch" does not exist (SQLSTATE 3F000)
            42704 | UNAVAILABLE  | role "readers" does not exist           | MISCONFIGURED | orders-dev (db:5432/orders): create x failed: misconfigured: role "readers" does not exist (SQLSTATE 42704)
            08006 | UNAVAILABLE  | An I/O error occurred                   | UNAVAILABLE   | orders-dev (db:5432/orders): create x failed: An I/O error occurred (SQLSTATE 08006)
            57P01 | UNAVAILABLE  | terminating connection                  | UNAVAILABLE   | orders-dev (db:5432/orders): create x failed: terminating connection (SQLSTATE 57P01)
            53300 | UNAVAILABLE  | too many connections                    | UNAVAILABLE   | orders-dev (db:5432/orders): create x failed: too many connections (SQLSTATE 53300)
            57014 | UNAVAILABLE  | canceling statement due to timeout      | UNAVAILABLE   | orders-dev (db:5432/orders): create x failed: canceling statement due to timeout (SQLSTATE 57014)
            XX000 | UNAVAILABLE  | internal error                          | UNAVAILABLE   | orders-dev (db:5432/orders): create x failed: internal error (SQLSTATE XX000)
            """)
    void sqlStateDecidesTheKind(String state, String unused, String message, Kind kind, String reason) {
        PostgresUnavailableException e = failures.of("create x", Step.CREATE_ROLE, new SQLException(message, state), null);

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.reason()).isEqualTo(reason);
    }

    @Test
    void driverFailureWithoutStateIsUnavailable() {
        PostgresUnavailableException e = failures.of("revoke x", Step.CONNECT, new SQLException("boom"), null);

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.reason()).isEqualTo("orders-dev (db:5432/orders): revoke x failed: boom");
    }

    @Test
    void secretAtHandIsScrubbed() {
        PostgresUnavailableException e = failures.of("create x", Step.SET_PASSWORD,
                new SQLException("could not set s3cr3t-Value for x", "XX000"), "s3cr3t-Value");

        assertThat(e.reason()).doesNotContain("s3cr3t-Value").contains("could not set (hidden) for x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ALTER USER x PASSWORD 'SCRAM-SHA-256$4096:abc'  | ALTER USER x PASSWORD (hidden)
            password=hunter2 host=db                        | password (hidden) host=db
            Password: "hunter 2"                            | Password (hidden)
            password authentication failed for user "x"     | password authentication failed for user "x"
            """)
    void anythingGivenAsAPasswordIsScrubbed(String text, String cleaned) {
        assertThat(Failures.clean(text, null)).isEqualTo(cleaned);
    }

    @Test
    void reasonIsOneShortPrintableLine() {
        String cleaned = Failures.clean("line one\nline two\r\n\u0007" + "x".repeat(500), null);

        assertThat(cleaned).startsWith("line one line two x").hasSize(203).endsWith("...").doesNotContain("\n");
    }
}
