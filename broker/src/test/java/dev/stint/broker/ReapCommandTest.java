package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.pgroles.AdminDatabase;
import dev.stint.broker.pgroles.CreatedLogin;
import dev.stint.broker.pgroles.Grants;
import dev.stint.broker.pgroles.RoleComment;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code stint reap --config FILE} ends expired Stint logins from the database alone, with no
 * broker and no store, and touches nothing else.
 */
class ReapCommandTest {

    @TempDir
    Path dir;

    AdminDatabase db;
    Path config;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void database() throws Exception {
        db = AdminDatabase.create();
        Path password = dir.resolve("admin.pass");
        Files.writeString(password, AdminDatabase.ADMIN_PASSWORD + "\n");
        password.toFile().setReadable(false, false);
        password.toFile().setReadable(true, true);
        config = dir.resolve("deploy.yaml");
        Files.writeString(config, """
                backends:
                  postgres:
                    orders-dev:
                      tier: dev
                      host: localhost
                      port: %d
                      database: %s
                      admin_user: %s
                      admin_password_file: admin.pass
                """.formatted(PostgresTestDatabase.port(), db.database, db.admin));
    }

    @AfterEach
    void clean() throws Exception {
        db.dropLeftovers();
    }

    private int reap(String... args) {
        CommandLine command = new CommandLine(new StintBroker());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    private CreatedLogin login(Instant deadline) throws Exception {
        return db.roles().create(db.newName("dev"), Grants.parse("USAGE ON SCHEMA app"), List.of(),
                new RoleComment(new TaskId("t-1"), new Tier("dev"), deadline, "stint-test"));
    }

    @Test
    void anExpiredLoginLosesItsSessionAndItsRole() throws Exception {
        CreatedLogin expired = login(Instant.now().minusSeconds(60));
        CreatedLogin live = login(Instant.now().plusSeconds(600));
        Connection open = db.login(expired.username(), expired.password());

        int status = reap("reap", "--config", config.toString());

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).contains("orders-dev: 1 expired login(s) dropped (" + expired.username() + ")");
        assertThat(db.roleExists(expired.username())).isFalse();
        assertThat(db.roleExists(live.username())).isTrue();
        assertThatThrownBy(() -> open.createStatement().executeQuery("SELECT 1")).isInstanceOf(Exception.class);
        open.close();
    }

    @Test
    void aRoleStintDidNotMakeIsNeverTouched() throws Exception {
        db.remember("stint_dev_0000000000000000");
        db.asSuperuser("CREATE ROLE stint_dev_0000000000000000 LOGIN VALID UNTIL '2000-01-01'");

        int status = reap("reap", "--config", config.toString());

        assertThat(status).isZero();
        assertThat(db.roleExists("stint_dev_0000000000000000")).isTrue();
    }

    @Test
    void aBadDeploymentFileStopsWithItsLineAndExitCode2() throws Exception {
        Files.writeString(config, "backends:\n  postgres:\n    orders-dev:\n      tier: dev\n      port: 70000\n");

        int status = reap("reap", "--config", config.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).startsWith("stint: ").contains("deploy.yaml:");
    }

    @Test
    void anUnreachableDatabaseIsReportedWithoutItsPasswordAndExits1() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Files.writeString(config, Files.readString(config).replace("port: " + PostgresTestDatabase.port(),
                "port: " + closed));

        int status = reap("reap", "--config", config.toString());

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("orders-dev: not reaped").doesNotContain(AdminDatabase.ADMIN_PASSWORD);
    }
}
