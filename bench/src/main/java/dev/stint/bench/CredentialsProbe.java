package dev.stint.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;

/**
 * The client side of {@code run-credentials.sh}: database credentials issued by the broker's
 * built-in PostgreSQL provider, against the same statements run directly, and how long a task's
 * end takes to make its login disappear.
 *
 * <pre>
 *   CredentialsProbe prepare PG_PORT DATABASE ADMIN_PASS_FILE
 *       as the superuser postgres: a table public.orders with a few rows, the role stint_admin
 *       (LOGIN CREATEROLE, a fresh random password written to ADMIN_PASS_FILE, mode 600) with
 *       USAGE on schema public and SELECT on its tables WITH GRANT OPTION; then logs in as
 *       stint_admin with that password as a check
 *   CredentialsProbe run BASE_URL ADMIN_TOKEN_FILE PG_PORT DATABASE ADMIN_PASS_FILE N M WARMUP
 *       registers demo-agent (fresh key), then
 *       (1) issuance: N x POST /v1/tasks/{id}/database-credentials {"role":"orders-readonly"} at
 *           concurrency 1 and 8, each client with tasks of its own (15 requests per task; opening
 *           tasks is not timed), and the same statements as the provider run over JDBC as
 *           stint_admin by 1 and 8 clients with a connection each (the raw baseline), interleaved
 *           raw 1, http 1, raw 8, http 8 after WARMUP uncounted requests of each kind;
 *       (2) end -> gone: M times, one task with one login and one open session as that login:
 *           ms from sending POST /v1/tasks/{id}/end to its answer (the lease must be "revoked"),
 *           and to the moment pg_roles has no such role and pg_stat_activity no such backend
 *           (polled as postgres every ~1 ms from the moment the end was sent);
 *       prints the report; exit 1 on any non-2xx answer or failed check.
 * </pre>
 */
public final class CredentialsProbe {

    static final String ROLE = "orders-readonly";
    static final String ADMIN_USER = "stint_admin";
    static final int PER_TASK = 15;
    static final int[] CONCURRENCY = {1, 8};
    /** The agent token lives 5 minutes: a new one after this. */
    static final Duration TOKEN_REFRESH = Duration.ofMinutes(2);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final SecureRandom random = new SecureRandom();
    private final List<String> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private HttpSetup setup;
    private String base;
    private ECKey key;
    private volatile String agentToken;
    private volatile Instant agentTokenAt;
    private int pgPort;
    private String database;
    private String adminPassword;

    private CredentialsProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("prepare")) {
            prepare(Integer.parseInt(args[1]), args[2], Path.of(args[3]));
            return;
        }
        if (args.length == 9 && args[0].equals("run")) {
            CredentialsProbe probe = new CredentialsProbe();
            System.exit(probe.run(args[1], args[2], Integer.parseInt(args[3]), args[4], Path.of(args[5]),
                    Integer.parseInt(args[6]), Integer.parseInt(args[7]), Integer.parseInt(args[8])));
        }
        System.err.println("usage: CredentialsProbe prepare PG_PORT DATABASE ADMIN_PASS_FILE\n"
                + "       CredentialsProbe run BASE_URL ADMIN_TOKEN_FILE PG_PORT DATABASE ADMIN_PASS_FILE N M WARMUP");
        System.exit(2);
    }

    // --- prepare --------------------------------------------------------------------------------

    private static void prepare(int port, String database, Path passFile) throws Exception {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.deleteIfExists(passFile);
        Files.createFile(passFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passFile, password + "\n", StandardCharsets.US_ASCII);
        try (Connection c = BenchPostgres.connect(port, database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer text NOT NULL,"
                    + " total numeric(12, 2) NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())");
            s.execute("INSERT INTO public.orders (customer, total)"
                    + " SELECT 'customer-' || g, (g % 500) + 0.99 FROM generate_series(1, 1000) AS g");
            // Before PostgreSQL 15 everyone may create in public (README: rights of the admin user).
            s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            s.execute("CREATE ROLE " + ADMIN_USER + " LOGIN CREATEROLE PASSWORD "
                    + c.unwrap(PGConnection.class).escapeLiteral(password).transform(l -> "'" + l + "'"));
            s.execute("GRANT USAGE ON SCHEMA public TO " + ADMIN_USER + " WITH GRANT OPTION");
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + ADMIN_USER + " WITH GRANT OPTION");
        }
        try (Connection c = login(port, database, ADMIN_USER, password); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_user, count(*) FROM public.orders")) {
            rs.next();
            System.out.println("PREPARED user=" + rs.getString(1) + " orders=" + rs.getLong(2));
        }
    }

    static Connection login(int port, String database, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props(user, password));
    }

    // --- run ------------------------------------------------------------------------------------

    private int run(String baseUrl, String adminTokenFile, int port, String db, Path passFile, int n, int m,
            int warmup) throws Exception {
        if (n < CONCURRENCY[CONCURRENCY.length - 1] || m < 1 || warmup < 0) {
            throw new IllegalArgumentException("need N >= 8, M >= 1, WARMUP >= 0");
        }
        this.base = HttpSetup.withoutSlash(baseUrl);
        this.setup = new HttpSetup(base, null);
        this.pgPort = port;
        this.database = db;
        this.adminPassword = Files.readString(passFile, StandardCharsets.US_ASCII).strip();
        this.key = HttpSetup.newKey();
        setup.registerAgent(HttpSetup.readAdminToken(adminTokenFile), HttpSetup.AGENT_ID, key,
                "database credentials benchmark");
        refreshToken(true);
        log("demo-agent registered; agent token obtained");

        if (warmup > 0) {
            log("warm-up: " + warmup + " raw creations and " + warmup + " HTTP issuances at concurrency 1 (not counted)");
            dropRaw(runRaw(1, warmup).names);
            endHttp(runHttp(1, warmup));
        }
        Map<String, double[]> results = new java.util.LinkedHashMap<>();
        for (int c : CONCURRENCY) {
            log("raw JDBC: " + n + " creations, " + c + " client(s) ...");
            RawRun raw = runRaw(c, n);
            results.put("raw" + c, raw.millis);
            notes.add(String.format(Locale.ROOT, "raw JDBC, %d client%s: %d transaction(s) repeated after"
                    + " \"tuple concurrently updated\" (timed in)", c, c == 1 ? "" : "s", raw.retries));
            dropRaw(raw.names);
            log("    " + summary(raw.millis) + ", repeated " + raw.retries);
            log("HTTP: " + n + " issuances, concurrency " + c + " ...");
            HttpRun run = runHttp(c, n);
            results.put("http" + c, run.millis);
            notes.add(String.format(Locale.ROOT, "HTTP, concurrency %d: %d answer(s) not 201%s", c, run.errors.size(),
                    run.errors.isEmpty() ? "" : " (not timed), e.g. " + run.errors.get(0)));
            log("    " + summary(run.millis) + ", not 201: " + run.errors.size());
            endHttp(run);
        }
        log("end -> gone: " + m + " tasks, one login and one open session each, ended one at a time ...");
        double[][] ends = runEnds(m);
        log("    answer: " + summary(ends[0]));
        log("    gone:   " + summary(ends[1]));
        report(n, m, warmup, results, ends);
        return failures.isEmpty() ? 0 : 1;
    }

    private void refreshToken(boolean force) throws Exception {
        if (force || agentTokenAt == null || Instant.now().isAfter(agentTokenAt.plus(TOKEN_REFRESH))) {
            agentToken = setup.agentToken(HttpSetup.AGENT_ID, key);
            agentTokenAt = Instant.now();
            if (agentToken.isEmpty()) {
                throw new IllegalStateException("POST /oauth2/token returned no access_token");
            }
        }
    }

    // --- issuance over HTTP ---------------------------------------------------------------------

    /** @param millis the successful issuances' times; @param errors one line per other answer */
    private record HttpRun(double[] millis, List<String> tasks, List<String> errors) {
    }

    /** {@code total} issuances by {@code clients} clients, each with its own tasks (15 per task). */
    private HttpRun runHttp(int clients, int total) throws Exception {
        refreshToken(false);
        int[] share = shares(clients, total);
        List<List<String>> tasksOf = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int w = 0; w < clients; w++) {
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < share[w]; i += PER_TASK) {
                mine.add(openTask());
            }
            tasksOf.add(mine);
            all.addAll(mine);
        }
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        List<double[]> perClient = inParallel(clients, w -> {
            double[] t = new double[share[w]];
            int ok = 0;
            for (int i = 0; i < share[w]; i++) {
                String task = tasksOf.get(w).get(i / PER_TASK);
                long start = System.nanoTime();
                HttpResponse<String> response = send(post("/v1/tasks/" + task + "/database-credentials",
                        "{\"role\":\"" + ROLE + "\"}"));
                double ms = (System.nanoTime() - start) / 1e6;
                if (response.statusCode() != 201) {
                    // Counted and reported (the run fails), not timed; the run goes on.
                    errors.add(response.statusCode() + " " + response.body());
                    continue;
                }
                JsonNode body = HttpSetup.JSON.readTree(response.body());
                if (body.path("username").asText().isEmpty() || body.path("password").asText().isEmpty()) {
                    throw new IllegalStateException("an issuance answered no username or password: " + response.body());
                }
                t[ok++] = ms;
            }
            return Arrays.copyOf(t, ok);
        });
        List<String> errorList = new ArrayList<>(errors);
        if (!errorList.isEmpty()) {
            fail(errorList.size() + " of " + total + " issuances at concurrency " + clients + " were not 201; first: "
                    + errorList.get(0));
        }
        return new HttpRun(concat(perClient), all, errorList);
    }

    /** Ends the tasks (not timed), then waits until the broker has dropped every login it made. */
    private void endHttp(HttpRun run) throws Exception {
        refreshToken(false);
        for (String task : run.tasks) {
            expect(send(post("/v1/tasks/" + task + "/end", "")), 200, "POST /v1/tasks/" + task + "/end");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (Connection c = BenchPostgres.connect(pgPort, database);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'stint\\_dev\\_%'"
                        + " AND shobj_description(oid, 'pg_authid') LIKE 'stint-lease:%'")) {
            while (true) {
                long left;
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    left = rs.getLong(1);
                }
                if (left == 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    fail(left + " logins of ended tasks still exist 120 s after their tasks ended");
                    return;
                }
                Thread.sleep(100);
            }
        }
    }

    private String openTask() throws Exception {
        String task = setup.openTask(agentToken);
        if (task.isEmpty()) {
            throw new IllegalStateException("POST /v1/tasks returned no task_id");
        }
        return task;
    }

    private HttpRequest.Builder post(String path, String json) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + agentToken)
                .header("Content-Type", "application/json")
                .POST(json.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode expect(HttpResponse<String> response, int status, String what) throws Exception {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + response.statusCode() + " (expected " + status
                    + "): " + response.body());
        }
        return response.body().isEmpty() ? HttpSetup.JSON.createObjectNode() : HttpSetup.JSON.readTree(response.body());
    }

    // --- the raw statements ---------------------------------------------------------------------

    /** @param retries transactions repeated after PostgreSQL's "tuple concurrently updated" */
    private record RawRun(double[] millis, List<String> names, int retries) {
    }

    /**
     * {@code total} logins made by {@code clients} clients, each on its own connection as
     * stint_admin (opened before the clock starts), each login in one transaction: CREATE ROLE
     * LOGIN INHERIT VALID UNTIL, the SCRAM verifier (pgjdbc's alterUserPassword), GRANT SELECT ON
     * ALL TABLES IN SCHEMA public (the sample policy's grant, as the broker runs it), COMMENT ON ROLE.
     */
    private RawRun runRaw(int clients, int total) throws Exception {
        int[] share = shares(clients, total);
        ConcurrentLinkedQueue<String> names = new ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();
        String until = Instant.now().plus(Duration.ofHours(8)).toString();
        List<double[]> perClient = inParallel(clients, w -> {
            double[] t = new double[share[w]];
            try (Connection c = login(pgPort, database, ADMIN_USER, adminPassword)) {
                c.setAutoCommit(false);
                PGConnection pg = c.unwrap(PGConnection.class);
                for (int i = 0; i < share[w]; i++) {
                    byte[] id = new byte[8];
                    random.nextBytes(id);
                    String name = "stint_dev_" + HexFormat.of().formatHex(id);
                    String role = "\"" + name + "\"";
                    byte[] secret = new byte[32];
                    random.nextBytes(secret);
                    char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret).toCharArray();
                    String comment = "stint-bench raw baseline, not a lease; until " + until;
                    names.add(name);
                    long start = System.nanoTime();
                    for (int attempt = 1; ; attempt++) {
                        try (Statement s = c.createStatement()) {
                            s.execute("CREATE ROLE " + role + " LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE"
                                    + " NOREPLICATION NOBYPASSRLS VALID UNTIL '" + pg.escapeLiteral(until) + "'");
                            pg.alterUserPassword(name, password, "scram-sha-256");
                            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA \"public\" TO " + role);
                            s.execute("COMMENT ON ROLE " + role + " IS '" + pg.escapeLiteral(comment) + "'");
                            c.commit();
                            break;
                        } catch (SQLException e) {
                            c.rollback();
                            // GRANT rewrites the object's ACL without a lock: two at once on one
                            // schema or table fail one of them (XX000). Repeat it, counted and timed.
                            if (attempt >= 10 || !"XX000".equals(e.getSQLState())
                                    || !String.valueOf(e.getMessage()).contains("concurrently updated")) {
                                throw e;
                            }
                            retries.incrementAndGet();
                        }
                    }
                    t[i] = (System.nanoTime() - start) / 1e6;
                    Arrays.fill(password, '\0');
                }
            }
            return t;
        });
        return new RawRun(concat(perClient), new ArrayList<>(names), retries.get());
    }

    /**
     * Drops the baseline's logins, in batches, as stint_admin: the grantor of their privileges
     * (DROP OWNED as the superuser would revoke only the owner's grants).
     */
    private void dropRaw(List<String> names) throws SQLException {
        try (Connection c = login(pgPort, database, ADMIN_USER, adminPassword); Statement s = c.createStatement()) {
            for (int i = 0; i < names.size(); i += 50) {
                String list = String.join(", ", names.subList(i, Math.min(names.size(), i + 50)).stream()
                        .map(name -> "\"" + name + "\"").toList());
                s.execute("REVOKE ALL ON ALL TABLES IN SCHEMA \"public\" FROM " + list);
                s.execute("REVOKE ALL ON SCHEMA \"public\" FROM " + list);
                s.execute("DROP ROLE " + list);
            }
        }
    }

    // --- end -> gone ----------------------------------------------------------------------------

    /** [0]: ms to the end's answer, [1]: ms until role and session are gone. */
    private double[][] runEnds(int m) throws Exception {
        double[] answer = new double[m];
        double[] gone = new double[m];
        int notRevoked = 0;
        int stillAnswering = 0;
        try (Connection su = BenchPostgres.connect(pgPort, database);
                PreparedStatement probe = su.prepareStatement(
                        "SELECT (SELECT count(*) FROM pg_roles WHERE rolname = ?) + (SELECT count(*)"
                                + " FROM pg_stat_activity WHERE pid = ?)")) {
            ExecutorService single = Executors.newSingleThreadExecutor();
            try {
                for (int i = 0; i < m; i++) {
                    refreshToken(false);
                    String task = openTask();
                    JsonNode issued = expect(send(post("/v1/tasks/" + task + "/database-credentials",
                            "{\"role\":\"" + ROLE + "\"}")), 201, "POST /v1/tasks/" + task + "/database-credentials");
                    String user = issued.path("username").asText();
                    Connection session = DriverManager.getConnection("jdbc:postgresql://"
                            + issued.path("host").asText() + ":" + issued.path("port").asInt() + "/"
                            + issued.path("database").asText(), props(user, issued.path("password").asText()));
                    int backend;
                    try (Statement s = session.createStatement();
                            ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), (SELECT count(*) FROM public.orders)")) {
                        rs.next();
                        backend = rs.getInt(1);
                    }
                    probe.setString(1, user);
                    probe.setInt(2, backend);
                    if (present(probe) != 2) {
                        throw new IllegalStateException("login " + user + " or its session is not visible before the end");
                    }
                    HttpRequest end = post("/v1/tasks/" + task + "/end", "").build();
                    long start = System.nanoTime();
                    // Sent on another thread, which notes when the answer arrived: this one polls.
                    Future<Answer> answered = single.submit(
                            () -> new Answer(http.send(end, HttpResponse.BodyHandlers.ofString()), System.nanoTime()));
                    // Poll from the moment the end was sent: role and backend both gone.
                    long deadline = start + Duration.ofSeconds(10).toNanos();
                    long goneAt = -1;
                    while (System.nanoTime() < deadline) {
                        if (present(probe) == 0) {
                            goneAt = System.nanoTime();
                            break;
                        }
                        Thread.sleep(0, 500_000);
                    }
                    Answer a = answered.get();
                    JsonNode body = expect(a.response, 200, "POST /v1/tasks/" + task + "/end");
                    answer[i] = (a.at - start) / 1e6;
                    JsonNode leases = body.path("leases");
                    if (leases.size() != 1 || !"revoked".equals(leases.get(0).path("state").asText())) {
                        notRevoked++;
                    }
                    if (goneAt < 0) {
                        fail("login " + user + " or its session still there 10 s after its task's end was sent");
                        gone[i] = 10_000;
                    } else {
                        gone[i] = (goneAt - start) / 1e6;
                    }
                    try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                        stillAnswering++;
                    } catch (SQLException expected) {
                        // the session was ended by the revocation
                    } finally {
                        try {
                            session.close();
                        } catch (SQLException ignored) {
                            // already broken
                        }
                    }
                }
            } finally {
                single.shutdownNow();
            }
        }
        if (notRevoked > 0) {
            fail(notRevoked + " of " + m + " end answers did not report their lease as revoked");
        }
        if (stillAnswering > 0) {
            fail(stillAnswering + " of " + m + " sessions still answered after their login was gone");
        }
        return new double[][] {answer, gone};
    }

    private record Answer(HttpResponse<String> response, long at) {
    }

    private static Properties props(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        return p;
    }

    private static long present(PreparedStatement probe) throws SQLException {
        try (ResultSet rs = probe.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // --- helpers --------------------------------------------------------------------------------

    interface Client {
        double[] run(int index) throws Exception;
    }

    /** Runs {@code clients} clients at once, started together; their timings. */
    private static List<double[]> inParallel(int clients, Client client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<double[]>> futures = new ArrayList<>();
            for (int w = 0; w < clients; w++) {
                int index = w;
                futures.add(pool.submit((Callable<double[]>) () -> {
                    go.await();
                    return client.run(index);
                }));
            }
            go.countDown();
            List<double[]> out = new ArrayList<>();
            for (Future<double[]> f : futures) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int[] shares(int clients, int total) {
        int[] share = new int[clients];
        for (int i = 0; i < total; i++) {
            share[i % clients]++;
        }
        return share;
    }

    private static double[] concat(List<double[]> parts) {
        return parts.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double[] stats(double[] values) {
        if (values.length == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0};
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return new double[] {pct(s, 50), pct(s, 99), Arrays.stream(s).average().orElse(0), s[s.length - 1], s.length};
    }

    private static String summary(double[] values) {
        double[] s = stats(values);
        return String.format(Locale.ROOT, "n=%d p50 %.2f ms, p99 %.2f ms, mean %.2f ms, max %.2f ms", (int) s[4], s[0],
                s[1], s[2], s[3]);
    }

    private void fail(String message) {
        failures.add(message);
        log("FAIL: " + message);
    }

    private static void log(String message) {
        System.err.println("[CredentialsProbe] " + message);
    }

    private void report(int n, int m, int warmup, Map<String, double[]> results, double[][] ends) {
        System.out.println();
        System.out.printf(Locale.ROOT, "issuance: %d requests per run after %d uncounted of each kind; HTTP = POST"
                + " /v1/tasks/{id}/database-credentials (java.net.http client, HTTP/1.1, 15 per task);%n", n, warmup);
        System.out.println("          raw = the same statements over JDBC as stint_admin, one connection per client,"
                + " one transaction per login");
        System.out.printf("%-24s %8s %8s %8s %8s %6s%n", "run", "p50 ms", "p99 ms", "mean ms", "max ms", "n");
        for (int c : CONCURRENCY) {
            row("raw JDBC, " + c + " client" + (c == 1 ? "" : "s"), results.get("raw" + c));
            row("HTTP, concurrency " + c, results.get("http" + c));
        }
        for (String note : notes) {
            System.out.println("  " + note);
        }
        System.out.println();
        for (int c : CONCURRENCY) {
            double[] h = stats(results.get("http" + c));
            double[] r = stats(results.get("raw" + c));
            System.out.printf(Locale.ROOT, "HTTP / raw at %d         : p50 %.2fx   p99 %.2fx%n", c, h[0] / r[0], h[1] / r[1]);
        }
        System.out.println();
        System.out.printf("end -> gone: %d tasks, one at a time, each with one login and one open session as it%n", m);
        System.out.printf("%-24s %8s %8s %8s %8s %6s%n", "from sending the end to", "p50 ms", "p99 ms", "mean ms", "max ms", "n");
        row("(a) its answer, revoked", ends[0]);
        row("(b) role + session gone", ends[1]);
        System.out.println();
        System.out.println("the issue's aims:");
        for (int c : CONCURRENCY) {
            double[] h = stats(results.get("http" + c));
            double[] r = stats(results.get("raw" + c));
            aim(String.format(Locale.ROOT, "issuance p99 <= 15 ms, concurrency %d", c), h[1] <= 15,
                    String.format(Locale.ROOT, "%.2f ms", h[1]));
            aim(String.format(Locale.ROOT, "issuance p99 <= 2x raw, concurrency %d", c), h[1] <= 2 * r[1],
                    String.format(Locale.ROOT, "%.2fx (%.2f / %.2f ms)", h[1] / r[1], h[1], r[1]));
        }
        double[] a = stats(ends[0]);
        double[] b = stats(ends[1]);
        aim("end -> answer p99 <= 1 s", a[1] <= 1000, String.format(Locale.ROOT, "%.1f ms", a[1]));
        aim("end -> gone p99 <= 1 s", b[1] <= 1000, String.format(Locale.ROOT, "%.1f ms", b[1]));
        for (String f : failures) {
            System.out.println("FAIL: " + f);
        }
    }

    private static void row(String label, double[] values) {
        double[] s = stats(values);
        System.out.printf(Locale.ROOT, "%-24s %8.2f %8.2f %8.2f %8.2f %6d%n", label, s[0], s[1], s[2], s[3], (int) s[4]);
    }

    private static void aim(String what, boolean met, String value) {
        System.out.printf("  %-42s %-26s %s%n", what, value, met ? "met" : "MISSED");
    }
}
