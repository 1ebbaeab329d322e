package dev.stint.cli.exec;

import dev.stint.sdk.DatabaseCredentials;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The environment the child of {@code stint exec} runs with: stint's own, less every inherited
 * variable that names a credential stint hands out (so a stale one can never leak through), plus
 * the task's. Only the child gets these; stint's own environment is not changed.
 */
public final class ChildEnvironment {

    /** Set for every child. */
    public static final List<String> TASK_VARIABLES =
            List.of("STINT_TASK_ID", "STINT_DEADLINE", "STINT_TOKEN", "STINT_TOKEN_FILE");

    /** Set for a child that asked for a database login ({@code --db-role}). */
    public static final List<String> DATABASE_VARIABLES =
            List.of("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "DATABASE_URL");

    /**
     * Removed whenever a database login is handed out: each would point libpq elsewhere than the
     * login ({@code PGHOSTADDR} wins over {@code PGHOST}; a service or password file could supply
     * another user's password).
     */
    static final List<String> DATABASE_OVERRIDES = List.of("PGHOSTADDR", "PGSERVICE", "PGSERVICEFILE", "PGPASSFILE");

    /**
     * Removed always: the agent's key file. The child works with the task's credentials, not as
     * the agent itself.
     */
    static final List<String> AGENT_VARIABLES = List.of("STINT_KEY_FILE");

    private ChildEnvironment() {
    }

    /**
     * @param parent stint's own environment
     * @param deadline the task's, written as an RFC 3339 instant in UTC
     * @param database the login for {@code --db-role}, or empty
     */
    public static Map<String, String> of(Map<String, String> parent, String taskId, Instant deadline, String token,
            Path tokenFile, Optional<DatabaseCredentials> database) {
        Objects.requireNonNull(parent, "parent");
        Map<String, String> env = new LinkedHashMap<>(parent);
        TASK_VARIABLES.forEach(env::remove);
        AGENT_VARIABLES.forEach(env::remove);
        env.put("STINT_TASK_ID", Objects.requireNonNull(taskId, "taskId"));
        env.put("STINT_DEADLINE", deadline.toString());
        env.put("STINT_TOKEN", Objects.requireNonNull(token, "token"));
        env.put("STINT_TOKEN_FILE", tokenFile.toString());
        database.ifPresent(login -> {
            DATABASE_VARIABLES.forEach(env::remove);
            DATABASE_OVERRIDES.forEach(env::remove);
            env.put("PGHOST", login.host());
            env.put("PGPORT", Integer.toString(login.port()));
            env.put("PGDATABASE", login.database());
            env.put("PGUSER", login.username());
            env.put("PGPASSWORD", login.password());
            env.put("DATABASE_URL", DatabaseUrl.of(login.username(), login.password(), login.host(), login.port(),
                    login.database()));
        });
        return env;
    }
}
