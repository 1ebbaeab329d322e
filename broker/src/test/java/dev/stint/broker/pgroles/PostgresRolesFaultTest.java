package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.pgroles.PostgresUnavailableException.Kind;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PostgreSQL down, frozen, answering garbage, refusing the admin, or stuck on a lock: always a
 * {@link PostgresUnavailableException} of the right kind, whose message names the connection and
 * holds no password.
 */
class PostgresRolesFaultTest {

    private static final RoleComment COMMENT = new RoleComment(new TaskId("tsk_1"), new Tier("dev"),
            Instant.now().plus(1, ChronoUnit.HOURS), "broker-1");
    /** Every message any test here saw, checked for passwords at the end. */
    private static final List<String> MESSAGES = new ArrayList<>();

    private AdminDatabase db;

    @BeforeEach
    void createDatabase() throws SQLException {
        db = AdminDatabase.create();
    }

    @AfterEach
    void dropLogins() throws SQLException {
        db.dropLeftovers();
    }

    @AfterAll
    static void noMessageHeldAPassword() {
        assertThat(MESSAGES).isNotEmpty().noneMatch(m -> m.contains(AdminDatabase.ADMIN_PASSWORD));
    }

    /** The three operations, each against a given provider. */
    interface Operation {
        void run(PostgresRoles roles) throws PostgresUnavailableException;
    }

    static Stream<Operation> operations() {
        return Stream.of(
                roles -> roles.create(RoleName.generate(new Tier("dev")), Grants.parse("USAGE ON SCHEMA app"), List.of(),
                        COMMENT),
                roles -> roles.revoke(RoleName.generate(new Tier("dev")).value()),
                roles -> roles.expired(Instant.now()));
    }

    @ParameterizedTest
    @MethodSource("operations")
    void closedPortIsUnavailable(Operation operation) {
        PostgresRoles down = provider("down", 1);

        PostgresUnavailableException e = failure(() -> operation.run(down));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).startsWith("down (localhost:1/orders): ").contains("failed: Connection to"
                + " localhost:1 refused").contains("(SQLSTATE 08001)");
    }

    @ParameterizedTest
    @MethodSource("operations")
    void serverThatNeverAnswersIsUnavailableWithinTheLoginTimeout(Operation operation) throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            daemon(() -> holdOpen(silent));
            PostgresRoles frozen = provider("frozen", silent.getLocalPort());

            PostgresUnavailableException e = failure(() -> operation.run(frozen));

            assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
            assertThat(e.getMessage()).startsWith("frozen (localhost:" + silent.getLocalPort() + "/orders): ")
                    .contains("(SQLSTATE 08");
        }
    }

    @ParameterizedTest
    @MethodSource("operations")
    void serverAnsweringGarbageIsUnavailable(Operation operation) throws Exception {
        try (ServerSocket garbage = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            daemon(() -> answerGarbage(garbage));
            PostgresRoles confused = provider("garbage", garbage.getLocalPort());

            PostgresUnavailableException e = failure(() -> operation.run(confused));

            assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
            assertThat(e.getMessage()).startsWith("garbage (localhost:" + garbage.getLocalPort() + "/orders): ")
                    .contains("(SQLSTATE 08");
        }
    }

    @ParameterizedTest
    @MethodSource("operations")
    void refusedAdminLoginIsMisconfiguredAndDoesNotShowThePasswordTried(Operation operation) {
        String tried = "wrong-" + AdminDatabase.ADMIN_PASSWORD;
        PostgresRoles refused = new PostgresRoles(db.where, () -> AdminDatabase.connect(db.database, db.admin, tried));

        PostgresUnavailableException e = failure(() -> operation.run(refused));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("misconfigured: the admin login was refused (password"
                + " authentication failed for user \"" + db.admin + "\")").doesNotContain(tried);
    }

    @Test
    void grantStuckBehindALockGivesUpAndLeavesNothingBehind() throws Exception {
        RoleName name = db.newName("dev");
        try (Connection locker = AdminDatabase.connect(db.database, "postgres", "")) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                // An uncommitted role of the same name: CREATE ROLE waits for this transaction to end.
                s.execute("CREATE ROLE " + name.value());
            }

            PostgresUnavailableException e = failure(() -> db.roles().create(name, Grants.parse("USAGE ON SCHEMA app"),
                    List.of(), COMMENT));

            assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
            assertThat(e.getMessage()).isEqualTo(db.where + ": create " + name + " failed: canceling statement due to"
                    + " lock timeout (SQLSTATE 55P03)");
            locker.rollback();
        }
        assertThat(db.roleExists(name.value())).isFalse();
    }

    @Test
    void connectionSourceGivingNothingIsUnavailable() {
        PostgresRoles broken = new PostgresRoles("broken", () -> null);

        PostgresUnavailableException e = failure(() -> broken.expired(Instant.now()));

        assertThat(e.getMessage()).isEqualTo("broken: list expired logins failed: the connection source gave no"
                + " connection");
    }

    private static PostgresRoles provider(String label, int port) {
        return new PostgresRoles(label + " (localhost:" + port + "/orders)",
                () -> AdminDatabase.connectTo("localhost", port, "orders", "stint_admin", AdminDatabase.ADMIN_PASSWORD));
    }

    @FunctionalInterface
    private interface Call {
        void run() throws PostgresUnavailableException;
    }

    private static PostgresUnavailableException failure(Call call) {
        try {
            call.run();
        } catch (PostgresUnavailableException e) {
            synchronized (MESSAGES) {
                MESSAGES.add(e.getMessage());
            }
            return e;
        }
        throw new AssertionError("expected PostgresUnavailableException");
    }

    private static void daemon(Runnable body) {
        Thread thread = new Thread(body, "fake-postgres");
        thread.setDaemon(true);
        thread.start();
    }

    private static void holdOpen(ServerSocket server) {
        List<Socket> held = new ArrayList<>();
        try {
            while (true) {
                held.add(server.accept());
            }
        } catch (IOException closed) {
            held.forEach(PostgresRolesFaultTest::closeQuietly);
        }
    }

    private static void answerGarbage(ServerSocket server) {
        try {
            while (true) {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    in.read(new byte[8]);
                    out.write("HTTP/1.1 400 Bad Request\r\n\r\n<html>nope</html>".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        } catch (IOException closed) {
            // The test is over.
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // The test is over.
        }
    }
}
