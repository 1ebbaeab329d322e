package dev.stint.examples;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.examples.AgentExample.UsageException;
import dev.stint.sdk.AgentKeys;
import dev.stint.sdk.BrokerRejectedException;
import dev.stint.sdk.BrokerUnavailableException;
import dev.stint.sdk.DatabaseCredentials;
import dev.stint.sdk.IssuerMismatchException;
import dev.stint.sdk.LeaseInfo;
import dev.stint.sdk.LeaseState;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.StintClientOptions;
import dev.stint.sdk.TaskNotActiveException;
import dev.stint.sdk.TaskRequest;
import dev.stint.sdk.TaskSession;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The second incident of DESIGN.md, replayed against a real broker: an agent told to "clean up
 * unused databases in development" reached production with credentials whose revocation had
 * failed silently, and dropped a customer database. Here the same cleanup agent
 * ({@code cleanup-bot} in the sample policy: dev may read every database and delete in
 * {@code scratch}; nothing in prod) tries again, through the SDK over HTTP only:
 *
 * <ol>
 *   <li>it asks for a prod task: the policy refuses it (403, with its reason), nothing is issued;
 *   <li>it opens a dev task and gets a dev read-only login: it reads rows, and {@code DROP TABLE}
 *       and {@code DELETE} fail for lack of permission;
 *   <li>it ends its task: the login's open session is killed, the login can no longer log in, and
 *       the broker reports the lease revoked (confirmed, not assumed). The deadline's sweep does
 *       the same to a task that is never ended; this replay does not wait for it.
 * </ol>
 *
 * <p>Every destructive statement runs in a transaction that is always rolled back: if a login
 * could drop the table, the replay reports the hole and the table is still there.
 *
 * <p>Exit status: 0 when every step went as the incident demands; 1 when one did not (the
 * incident could happen again), with a one-line reason on stderr; 2 when the replay could not be
 * carried out (bad usage or key file, the broker or database unreachable, an unexpected
 * refusal). Neither the password nor any token is ever printed.
 */
public final class IncidentReplay {

    static final AgentId DEFAULT_AGENT = new AgentId("cleanup-bot");
    static final String DEFAULT_TABLE = "orders";
    static final String ROLE = "orders-readonly";
    static final Scope READ_ORDERS = Scope.parse("db:orders:read");
    static final Tier PROD = new Tier("prod");
    static final Tier DEV = new Tier("dev");
    static final String PURPOSE = "incident replay: clean up unused databases";

    static final String USAGE = String.join("\n",
            "usage: IncidentReplay [--url URL] [--agent ID] [--key FILE] [--table NAME]",
            "",
            "Replays the second incident as the cleanup agent: a prod task is refused, a dev login",
            "reads but cannot drop or delete, and ending the task kills its session and its user.",
            "  --url URL     the broker's issuer exactly (default " + AgentExample.DEFAULT_URL + ", env STINT_URL)",
            "  --agent ID    default " + DEFAULT_AGENT + " (env STINT_AGENT_ID)",
            "  --key FILE    the agent's private key (default ./" + AgentExample.KEY_FILE + ", env STINT_AGENT_KEY);",
            "                make one with: AgentExample keygen DIR",
            "  --table NAME  the table the dev login reads and tries to drop, as schema.table or",
            "                table (default " + DEFAULT_TABLE + ")",
            "exit status: 0 stopped at every step, 1 a step went otherwise, 2 could not replay");

    /** Lower-case identifiers only, so the name can go into SQL unquoted and unescaped. */
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?");
    /** PostgreSQL's insufficient_privilege: "must be owner of table", "permission denied for table". */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    record Options(URI url, AgentId agent, Path keyFile, String table) {
    }

    /** A step went otherwise than the incident demands; the message says which and how. */
    static final class NotStopped extends Exception {
        private static final long serialVersionUID = 1L;

        NotStopped(String message) {
            super(message);
        }
    }

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    IncidentReplay(Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        this.env = Objects.requireNonNull(env, "env");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static void main(String[] args) {
        System.exit(new IncidentReplay(System.getenv(), System.out, System.err, Clock.systemUTC()).run(args));
    }

    /** Replays the incident and returns the exit status. */
    int run(String[] args) {
        Optional<Options> options;
        try {
            options = parse(args, env);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.isEmpty()) {
            out.println(USAGE);
            return 0;
        }
        try {
            replay(options.get());
            out.println("STOPPED: every step went as the incident demands");
            return 0;
        } catch (NotStopped e) {
            err.println("NOT STOPPED: " + e.getMessage());
            return 1;
        } catch (IssuerMismatchException e) {
            err.println("could not replay: the broker's issuer is " + e.issuer() + "; pass --url " + e.issuer());
            return 2;
        } catch (BrokerUnavailableException e) {
            err.println("could not replay: broker unavailable: " + e.getMessage());
            return 2;
        } catch (BrokerRejectedException e) {
            err.println("could not replay: " + e.getMessage());
            return 2;
        } catch (SQLException e) {
            err.println("could not replay: database: " + firstLine(e));
            return 2;
        } catch (IOException | IllegalArgumentException e) {
            err.println("could not replay: " + e.getMessage());
            return 2;
        }
    }

    /** The options, or empty when help was asked for. */
    static Optional<Options> parse(String[] args, Map<String, String> env) throws UsageException {
        String url = env.getOrDefault("STINT_URL", AgentExample.DEFAULT_URL.toString());
        String agent = env.getOrDefault("STINT_AGENT_ID", DEFAULT_AGENT.value());
        String key = env.getOrDefault("STINT_AGENT_KEY", AgentExample.KEY_FILE);
        String table = DEFAULT_TABLE;
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            if (List.of("help", "-h", "--help").contains(option)) {
                return Optional.empty();
            }
            if (i + 1 >= args.length) {
                throw new UsageException("option " + option + " needs a value");
            }
            String value = args[i + 1];
            switch (option) {
                case "--url" -> url = value;
                case "--agent" -> agent = value;
                case "--key" -> key = value;
                case "--table" -> table = value;
                default -> throw new UsageException("unknown option " + option);
            }
        }
        if (!TABLE.matcher(table).matches()) {
            throw new UsageException("table must be a lower-case name, table or schema.table; got '" + table + "'");
        }
        try {
            return Optional.of(new Options(AgentExample.parseUrl(url), new AgentId(agent), Path.of(key), table));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private void replay(Options options) throws NotStopped, IOException, BrokerRejectedException,
            BrokerUnavailableException, SQLException {
        ECKey key = loadKey(options.keyFile());
        StintClient client = StintClient.create(StintClientOptions.of(options.url(), options.agent(), key, clock));
        out.println("The second incident, replayed: " + options.agent() + " at " + options.url()
                + " is told to clean up unused databases");

        prodIsRefused(client);

        out.println("2. it opens a dev task with " + READ_ORDERS + " and asks for a login of role " + ROLE);
        TaskSession task = client.openTask(TaskRequest.of(DEV, PURPOSE, List.of(READ_ORDERS))
                .withTtl(Duration.ofMinutes(10)));
        try {
            out.println("   task " + task.taskId() + " in tier " + task.tier() + ", deadline " + task.deadline().at());
            DatabaseCredentials login = task.databaseCredentials(ROLE);
            if (!login.tier().equals(DEV)) {
                throw new NotStopped("step 2: a dev task got a login of tier " + login.tier());
            }
            // The user name and URL are not secrets; the password is never printed.
            out.println("   login " + login.username() + " (lease " + login.leaseId() + ", tier " + login.tier()
                    + ") at " + login.jdbcUrl() + ", expires " + login.expiresAt());
            try (Connection open = connect(login)) {
                readsButCannotDropOrDelete(open, options.table());
                endingKillsTheSessionAndTheUser(task, login, open);
            }
        } finally {
            // A step that failed must not leave the dev login alive until its deadline.
            endQuietly(task);
        }
    }

    /** Step 1: no prod task, so no prod login; the policy says why. */
    private void prodIsRefused(StintClient client) throws NotStopped, BrokerRejectedException,
            BrokerUnavailableException {
        out.println("1. it asks for a prod task with " + READ_ORDERS + " (for a prod login of role " + ROLE + ")");
        TaskSession prod;
        try {
            prod = client.openTask(TaskRequest.of(PROD, PURPOSE, List.of(READ_ORDERS)).withTtl(Duration.ofMinutes(5)));
        } catch (TaskNotActiveException e) {
            // Opened, but waiting for a human: not the refusal the incident demands.
            throw new NotStopped("step 1: the prod task was not refused: " + e.detail());
        } catch (BrokerRejectedException e) {
            if (e.status() != 403) {
                // 401 and the like: the agent could not even log in, which proves nothing about prod.
                throw e;
            }
            out.println("   refused: HTTP 403 " + e.problemType() + ": " + e.detail());
            out.println("   nothing issued: no prod task, so no prod login");
            return;
        }
        // The hole the incident went through: end the task at once, then report it.
        boolean ended = endQuietly(prod);
        throw new NotStopped("step 1: the broker opened prod task " + prod.taskId() + " for the cleanup agent"
                + (ended ? " (ended it again)" : " (could not end it)"));
    }

    /** Step 2: the dev login reads, and the destructive statements fail for lack of permission. */
    private void readsButCannotDropOrDelete(Connection db, String table) throws NotStopped, SQLException {
        int rows = 0;
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
            while (r.next()) {
                rows++;
            }
        }
        out.println("   SELECT * FROM " + table + ": read " + rows + " rows");
        db.setAutoCommit(false);
        refusedForLackOfPermission(db, "DROP TABLE " + table);
        refusedForLackOfPermission(db, "DELETE FROM " + table);
    }

    private void refusedForLackOfPermission(Connection db, String sql) throws NotStopped, SQLException {
        try (Statement s = db.createStatement()) {
            s.execute(sql);
        } catch (SQLException refused) {
            db.rollback();
            if (!INSUFFICIENT_PRIVILEGE.equals(refused.getSQLState())) {
                throw new NotStopped("step 2: " + sql + " failed, but not for lack of permission: "
                        + refused.getSQLState() + " " + firstLine(refused));
            }
            out.println("   " + sql + ": refused by PostgreSQL (" + refused.getSQLState() + " " + firstLine(refused)
                    + ")");
            return;
        }
        db.rollback();
        throw new NotStopped("step 2: " + sql + " succeeded with the dev read-only login (rolled back)");
    }

    /** Step 3: end the task; the revocation is confirmed, the session dead, the user gone. */
    private void endingKillsTheSessionAndTheUser(TaskSession task, DatabaseCredentials login, Connection open)
            throws NotStopped, BrokerRejectedException, BrokerUnavailableException, SQLException {
        out.println("3. it ends its task");
        task.end();
        out.println("   task " + task.taskId() + " ended");
        // The incident's credentials outlived a revocation that failed silently: here the broker
        // must report this login's lease revoked, which it does only once PostgreSQL confirmed it.
        LeaseInfo lease = task.leases().stream().filter(l -> l.leaseId().equals(login.leaseId())).findFirst()
                .orElseThrow(() -> new NotStopped("step 3: the broker does not list lease " + login.leaseId()));
        if (lease.state() != LeaseState.REVOKED) {
            throw new NotStopped("step 3: lease " + lease.leaseId() + " is " + lease.state().wireName()
                    + " after the task ended" + (lease.lastError() == null ? "" : ": " + lease.lastError()));
        }
        out.println("   lease " + lease.leaseId() + " revoked at " + lease.revokedAt());

        try (Statement s = open.createStatement()) {
            s.executeQuery("SELECT 1").close();
            throw new NotStopped("step 3: the login's open session still answers after the task ended");
        } catch (SQLException killed) {
            // 57P01 (terminated by an administrator) or 08xxx (the connection is gone): the session died.
            if (!sqlStateClass(killed, "57") && !sqlStateClass(killed, "08")) {
                throw new NotStopped("step 3: the open session failed otherwise than by being killed: "
                        + killed.getSQLState() + " " + firstLine(killed));
            }
            out.println("   its open session: killed (" + killed.getSQLState() + " " + firstLine(killed) + ")");
        }

        try {
            connect(login).close();
            throw new NotStopped("step 3: " + login.username() + " can still log in after the task ended");
        } catch (SQLException refused) {
            if (!sqlStateClass(refused, "28")) {
                // Not an authentication refusal (the server is unreachable, say): nothing was shown.
                throw refused;
            }
            out.println("   a new login as " + login.username() + ": refused (" + refused.getSQLState() + " "
                    + firstLine(refused) + ")");
        }
    }

    private static ECKey loadKey(Path file) throws IOException {
        try {
            return AgentKeys.load(file);
        } catch (NoSuchFileException e) {
            throw new IOException("no agent key at " + file + " (make one with: AgentExample keygen DIR)", e);
        }
    }

    private static Connection connect(DatabaseCredentials login) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", login.username());
        properties.setProperty("password", login.password());
        properties.setProperty("ApplicationName", "stint-incident-replay");
        // Bounded waits in seconds: a replay against a database that hangs ends, and says so.
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("loginTimeout", "10");
        properties.setProperty("socketTimeout", "30");
        return DriverManager.getConnection(login.jdbcUrl(), properties);
    }

    /** Ends the task, or warns that it lives on until its deadline; true when the broker ended it. */
    private boolean endQuietly(TaskSession task) {
        try {
            task.end();
            return true;
        } catch (BrokerRejectedException | BrokerUnavailableException e) {
            err.println("warning: could not end task " + task.taskId() + " (" + e.getMessage()
                    + "); it ends at its deadline " + task.deadline().at());
            return false;
        }
    }

    private static boolean sqlStateClass(SQLException e, String sqlClass) {
        return e.getSQLState() != null && e.getSQLState().startsWith(sqlClass);
    }

    /** The server's message without pgjdbc's Detail/Hint/Where lines, so each step stays one line. */
    private static String firstLine(SQLException e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
