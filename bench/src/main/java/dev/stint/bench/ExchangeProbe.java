package dev.stint.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The client side of {@code run-exchange.sh}: agent tokens bought at {@code POST /oauth2/token}
 * by RFC 8693 token exchange of a CI job's OIDC token, against {@code client_credentials} with a
 * {@code private_key_jwt} assertion, by the same clients against the same broker in one run.
 *
 * <pre>
 *   ExchangeProbe run BASE_URL ADMIN_TOKEN_FILE ISSUER AUDIENCE N CONCURRENCY WARMUP ROUNDS BROKER_PID CLK_TCK
 *       starts a GitHub-shaped OIDC issuer at ISSUER (http://127.0.0.1:PORT, {@link LoopbackOidcIssuer});
 *       registers cc-bench (a fresh P-256 key) and ci-bench (key-less: federation only); checks
 *       one answer of each grant (and that the exchanged token opens a task as ci-bench); then
 *       WARMUP uncounted requests of each grant, then ROUNDS rounds of N / ROUNDS requests of each,
 *       the order alternating per round; CONCURRENCY clients, each one request in flight. Every
 *       body is signed before its phase starts (the client's signing is not timed). Prints the
 *       report; exit 1 on any answer other than 200 or an audit chain that does not verify.
 * </pre>
 */
public final class ExchangeProbe {

    static final String CC_AGENT = "cc-bench";
    static final String CI_AGENT = "ci-bench";
    static final String EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    /** Both kinds of token are signed just before their phase; five minutes (the assertions' cap) covers it. */
    static final long LIFETIME_SECONDS = 300;
    static final int WARMUP_CHUNK = 1000;

    enum Grant {
        CLIENT_CREDENTIALS("client_credentials"),
        EXCHANGE("token exchange");

        final String label;

        Grant(String label) {
            this.label = label;
        }
    }

    /**
     * One phase of one grant: each request's time and status, the phase's wall time, and the CPU
     * the broker, this client and every other process used meanwhile.
     */
    private record Phase(Grant grant, long[] nanos, int[] status, long wallNanos, long brokerCpuNanos,
            long clientCpuNanos, long othersCpuNanos, List<String> errors) {

        int ok() {
            return (int) Arrays.stream(status).filter(s -> s == 200).count();
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final SecureRandom random = new SecureRandom();
    private final List<String> failures = new ArrayList<>();

    private String base;
    private String audience;
    private int concurrency;
    private long brokerPid;
    private long clkTck;
    private ECKey ccKey;
    private LoopbackOidcIssuer issuer;

    private ExchangeProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 11 && args[0].equals("run")) {
            System.exit(new ExchangeProbe().run(args[1], args[2], args[3], args[4], Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]), Integer.parseInt(args[7]), Integer.parseInt(args[8]),
                    Long.parseLong(args[9]), Long.parseLong(args[10])));
        }
        System.err.println("usage: ExchangeProbe run BASE_URL ADMIN_TOKEN_FILE ISSUER AUDIENCE N CONCURRENCY WARMUP"
                + " ROUNDS BROKER_PID CLK_TCK");
        System.exit(2);
    }

    private int run(String baseUrl, String adminTokenFile, String issuerUrl, String aud, int n, int clients,
            int warmup, int rounds, long pid, long ticksPerSecond) throws Exception {
        if (clients < 1 || rounds < 1 || n < rounds * clients || warmup < 0) {
            throw new IllegalArgumentException("need CONCURRENCY >= 1, ROUNDS >= 1, N >= ROUNDS x CONCURRENCY,"
                    + " WARMUP >= 0");
        }
        this.base = HttpSetup.withoutSlash(baseUrl);
        this.audience = aud;
        this.concurrency = clients;
        this.brokerPid = pid;
        this.clkTck = ticksPerSecond;
        String adminToken = HttpSetup.readAdminToken(adminTokenFile);
        HttpSetup setup = new HttpSetup(base, null);

        try (LoopbackOidcIssuer oidc = new LoopbackOidcIssuer(issuerUrl)) {
            this.issuer = oidc;
            log("OIDC issuer " + oidc.issuer() + " up (RSA-2048 key, RS256 tokens)");
            ccKey = HttpSetup.newKey();
            setup.registerAgent(adminToken, CC_AGENT, ccKey, "token-exchange benchmark: client_credentials");
            Map<String, Object> ci = new LinkedHashMap<>();
            ci.put("agent_id", CI_AGENT);
            ci.put("owner", "platform@example.com");
            ci.put("purpose", "token-exchange benchmark: CI federation");
            ci.put("tiers", List.of("dev"));
            setup.post("/v1/agents", adminToken, "application/json", HttpSetup.JSON.writeValueAsString(ci));
            checkOnce(setup);
            log(CC_AGENT + " (P-256 key) and " + CI_AGENT + " (key-less) registered; one answer of each grant"
                    + " checked");

            if (warmup > 0) {
                // In chunks, alternating like the rounds: both paths stay hot while the JIT works.
                log("warm-up: " + warmup + " requests of each grant at " + clients + " clients (not counted)");
                for (int done = 0, chunk = 0; done < warmup; done += WARMUP_CHUNK, chunk++) {
                    int size = Math.min(WARMUP_CHUNK, warmup - done);
                    for (Grant grant : order(chunk)) {
                        Phase phase = runPhase(grant, size);
                        log("    warm-up: " + line(phase));
                        if (phase.ok() != size) {
                            fail(grant.label + ", warm-up: " + (size - phase.ok()) + " answers not 200; first: "
                                    + phase.errors().get(0));
                        }
                    }
                }
            }

            long[] auditBefore = audit(adminToken);
            Map<Grant, List<Phase>> measured = new EnumMap<>(Grant.class);
            int[] share = new int[rounds];
            for (int i = 0; i < n; i++) {
                share[i % rounds]++;
            }
            for (int r = 0; r < rounds; r++) {
                for (Grant grant : order(r)) {
                    Phase phase = runPhase(grant, share[r]);
                    log("round " + (r + 1) + "/" + rounds + ": " + line(phase));
                    measured.computeIfAbsent(grant, g -> new ArrayList<>()).add(phase);
                    int bad = share[r] - phase.ok();
                    if (bad > 0) {
                        fail(grant.label + ", round " + (r + 1) + ": " + bad + " of " + share[r] + " answers not 200;"
                                + " first: " + phase.errors().get(0));
                    }
                }
            }
            long[] auditAfter = audit(adminToken);
            // After the load, so that it cannot disturb it, and with this JVM's EC and RSA code warm from signing.
            log("signature checks, one thread, for reference (~6 s) ...");
            double[] verifyMicros = verifyCost();
            report(n, warmup, rounds, measured, verifyMicros, auditBefore, auditAfter);
        }
        return failures.isEmpty() ? 0 : 1;
    }

    /** Alternating order: drift in the machine's load or the store's size hits both grants alike. */
    private static Grant[] order(int round) {
        return round % 2 == 0 ? new Grant[] {Grant.CLIENT_CREDENTIALS, Grant.EXCHANGE}
                : new Grant[] {Grant.EXCHANGE, Grant.CLIENT_CREDENTIALS};
    }

    // --- the requests -----------------------------------------------------------------------------

    /** A fresh ES256 client assertion for cc-bench, as the client SDK signs one. */
    private String clientAssertion(Instant now) throws JOSEException {
        Instant issuedAt = Instant.ofEpochSecond(now.getEpochSecond());
        byte[] jti = new byte[16];
        random.nextBytes(jti);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(CC_AGENT)
                .subject(CC_AGENT)
                .audience(base)
                .jwtID(Base64.getUrlEncoder().withoutPadding().encodeToString(jti))
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(issuedAt.plusSeconds(LIFETIME_SECONDS)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ccKey.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new ECDSASigner(ccKey));
        return jwt.serialize();
    }

    /** A client_credentials body with a fresh assertion. */
    private String clientCredentialsBody(Instant now) throws JOSEException {
        return "grant_type=client_credentials&client_assertion_type=" + enc(ASSERTION_TYPE)
                + "&client_assertion=" + enc(clientAssertion(now));
    }

    /** A token-exchange body with a fresh CI token; no client authentication. */
    private String exchangeBody(Instant now) throws JOSEException {
        return "grant_type=" + enc(EXCHANGE_GRANT) + "&subject_token=" + enc(issuer.githubToken(audience, now,
                LIFETIME_SECONDS)) + "&subject_token_type=" + enc(JWT_TYPE);
    }

    private String body(Grant grant, Instant now) throws JOSEException {
        return grant == Grant.EXCHANGE ? exchangeBody(now) : clientCredentialsBody(now);
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /**
     * One answer of each grant, outside any timing: 200 with an agent token, and the exchanged one
     * opens a task as the agent the federation rule names.
     */
    private void checkOnce(HttpSetup setup) throws Exception {
        for (Grant grant : Grant.values()) {
            HttpResponse<String> response = http.send(request(body(grant, Instant.now())),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the check " + grant.label + " answered " + response.statusCode() + ": "
                        + errorOf(response.body()));
            }
            String token = HttpSetup.JSON.readTree(response.body()).path("access_token").asText();
            if (token.isEmpty()) {
                throw new IllegalStateException("the check " + grant.label + " answered 200 without an access_token");
            }
            if (grant == Grant.EXCHANGE) {
                Map<String, Object> task = new LinkedHashMap<>();
                task.put("tier", "dev");
                task.put("purpose", "token-exchange benchmark check");
                task.put("scopes", List.of("db:orders:read"));
                task.put("ttl_seconds", 600);
                JsonNode opened = setup.post("/v1/tasks", token, "application/json",
                        HttpSetup.JSON.writeValueAsString(task));
                if (!CI_AGENT.equals(opened.path("agent_id").asText())) {
                    throw new IllegalStateException("the exchanged token opened a task as '"
                            + opened.path("agent_id").asText() + "', not " + CI_AGENT);
                }
            }
        }
    }

    /**
     * {@code count} requests of {@code grant} by {@link #concurrency} clients, one in flight each,
     * bodies signed first (in parallel, not timed).
     */
    private Phase runPhase(Grant grant, int count) throws Exception {
        long signStart = System.nanoTime();
        Instant now = Instant.now();
        HttpRequest[] requests = IntStream.range(0, count).parallel().mapToObj(i -> {
            try {
                return request(body(grant, now));
            } catch (JOSEException e) {
                throw new IllegalStateException("signing a " + grant.label + " body failed", e);
            }
        }).toArray(HttpRequest[]::new);
        log(String.format(Locale.ROOT, "    %s: %d bodies signed in %.1f s (before the phase, not timed)",
                grant.label, count, (System.nanoTime() - signStart) / 1e9));

        long[] nanos = new long[count];
        int[] status = new int[count];
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> clients = new ArrayList<>();
        try {
            for (int c = 0; c < concurrency; c++) {
                clients.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        long start = System.nanoTime();
                        try {
                            HttpResponse<String> response = http.send(requests[i],
                                    HttpResponse.BodyHandlers.ofString());
                            nanos[i] = System.nanoTime() - start;
                            int code = response.statusCode();
                            // A 200 must carry a token (read no further: it is a secret); one without
                            // counts as a failure, status 0.
                            boolean issued = code == 200 && response.body().contains("\"access_token\"");
                            status[i] = issued ? 200 : code == 200 ? 0 : code;
                            if (!issued) {
                                errors.add(code + " " + (code == 200 ? "without an access_token"
                                        : errorOf(response.body())));
                            }
                        } catch (IOException e) {
                            nanos[i] = System.nanoTime() - start;
                            status[i] = -1;
                            errors.add("no answer: " + e);
                        }
                    }
                    return null;
                }));
            }
            ready.await();
            long broker0 = brokerCpuNanos();
            long client0 = clientCpuNanos();
            long machine0 = machineCpuNanos();
            long wall0 = System.nanoTime();
            go.countDown();
            for (Future<?> client : clients) {
                client.get();
            }
            long wall = System.nanoTime() - wall0;
            long broker = brokerCpuNanos() - broker0;
            long client = clientCpuNanos() - client0;
            long others = Math.max(0, machineCpuNanos() - machine0 - broker - client);
            return new Phase(grant, nanos, status, wall, broker, client, others, new ArrayList<>(errors));
        } finally {
            pool.shutdownNow();
        }
    }

    /** The OAuth error and its description of a refusal (never a token: only refusals come here). */
    private static String errorOf(String body) {
        try {
            JsonNode json = HttpSetup.JSON.readTree(body);
            String text = json.path("error").asText() + ": " + json.path("error_description").asText();
            return text.length() <= 300 ? text : text.substring(0, 300) + "...";
        } catch (IOException | RuntimeException e) {
            return "(not an OAuth error answer, " + body.length() + " characters)";
        }
    }

    // --- CPU, audit, signature cost ------------------------------------------------------------------

    /** utime + stime of the broker's process, from /proc (Linux). */
    private long brokerCpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + brokerPid + "/stat"));
        // Fields after the command name, which is in parentheses and may contain spaces.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1_000_000_000L / clkTck;
    }

    /**
     * CPU time of all processes together (user, nice, system, steal of /proc/stat's cpu line), as
     * lib.sh counts it: what is left after the broker and this client is other processes'.
     */
    private long machineCpuNanos() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long ticks = Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]) + Long.parseLong(cpu[8]);
        return ticks * 1_000_000_000L / clkTck;
    }

    private static long clientCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /** {@code GET /v1/audit/verify}: {records checked, 1 if the hash chain is valid else 0}. */
    private long[] audit(String adminToken) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/audit/verify"))
                .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + adminToken).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /v1/audit/verify answered " + response.statusCode());
        }
        JsonNode json = HttpSetup.JSON.readTree(response.body());
        return new long[] {json.path("records_checked").asLong(), json.path("valid").asBoolean() ? 1 : 0};
    }

    /**
     * Microseconds per signature check, one thread, in this JVM (the broker's JDK), of what each
     * grant makes the broker verify: an RS256 (RSA-2048) CI token and an ES256 (P-256) assertion.
     */
    private double[] verifyCost() throws Exception {
        SignedJWT rs = SignedJWT.parse(issuer.githubToken(audience, Instant.now(), LIFETIME_SECONDS));
        SignedJWT es = SignedJWT.parse(clientAssertion(Instant.now()));
        RSASSAVerifier rsa = new RSASSAVerifier(issuer.publicKey());
        ECDSAVerifier ec = new ECDSAVerifier(ccKey.toECPublicKey());
        double[] micros = new double[2];
        for (int pass = 0; pass < 2; pass++) {
            // The first pass finishes the JIT's work; the second is the one reported.
            micros[0] = timeVerify(rs, rsa::verify, pass == 0 ? 1000 : 2000);
            micros[1] = timeVerify(es, ec::verify, pass == 0 ? 1000 : 2000);
        }
        return micros;
    }

    interface Verify {
        boolean verify(JWSHeader header, byte[] input, Base64URL signature) throws JOSEException;
    }

    private static double timeVerify(SignedJWT jwt, Verify verify, long millis) throws JOSEException {
        byte[] input = jwt.getSigningInput();
        long end = System.nanoTime() + millis * 1_000_000L;
        long start = System.nanoTime();
        long count = 0;
        while (System.nanoTime() < end) {
            if (!verify.verify(jwt.getHeader(), input, jwt.getSignature())) {
                throw new IllegalStateException("a signature the probe made did not verify");
            }
            count++;
        }
        return (System.nanoTime() - start) / 1e3 / count;
    }

    // --- report --------------------------------------------------------------------------------------

    /** @param othersPct CPU of other processes, in % of one core */
    private record Totals(double rate, double[] stats, int ok, int total, double brokerCpuMsPerReq,
            double clientCpuMsPerReq, double othersPct) {
    }

    private static Totals totals(List<Phase> phases) {
        long wall = 0;
        long brokerCpu = 0;
        long clientCpu = 0;
        long othersCpu = 0;
        int ok = 0;
        int total = 0;
        List<Double> millis = new ArrayList<>();
        for (Phase phase : phases) {
            wall += phase.wallNanos();
            brokerCpu += phase.brokerCpuNanos();
            clientCpu += phase.clientCpuNanos();
            othersCpu += phase.othersCpuNanos();
            ok += phase.ok();
            total += phase.status().length;
            for (int i = 0; i < phase.status().length; i++) {
                if (phase.status()[i] == 200) {
                    millis.add(phase.nanos()[i] / 1e6);
                }
            }
        }
        double[] values = millis.stream().mapToDouble(Double::doubleValue).toArray();
        return new Totals(ok / (wall / 1e9), CredentialsProbe.stats(values), ok, total,
                brokerCpu / 1e6 / Math.max(1, ok), clientCpu / 1e6 / Math.max(1, ok), 100.0 * othersCpu / wall);
    }

    private static String line(Phase phase) {
        Totals t = totals(List.of(phase));
        return String.format(Locale.ROOT, "%s: %d requests, %.0f/s, p50 %.2f ms, p99 %.2f ms, not 200: %d;"
                + " other processes %.0f%% of a core", phase.grant().label, t.total(), t.rate(), t.stats()[0],
                t.stats()[1], t.total() - t.ok(), t.othersPct());
    }

    private void report(int n, int warmup, int rounds, Map<Grant, List<Phase>> measured, double[] verifyMicros,
            long[] auditBefore, long[] auditAfter) {
        Totals cc = totals(measured.get(Grant.CLIENT_CREDENTIALS));
        Totals ex = totals(measured.get(Grant.EXCHANGE));
        System.out.println();
        System.out.printf(Locale.ROOT, "load: POST /oauth2/token by %d clients at once (java.net.http, HTTP/1.1,"
                + " keep-alive; each client one request in flight);%n", concurrency);
        System.out.printf(Locale.ROOT, "      %d uncounted requests of each grant, then %d requests of each in %d"
                + " round(s), order alternating per round;%n", warmup, n, rounds);
        System.out.println("      every body signed before its phase (client signing not timed), each token and"
                + " assertion used once");
        System.out.printf("%-20s %9s %8s %8s %8s %8s %6s %8s %14s %14s %7s%n", "grant", "req/s", "p50 ms", "p99 ms",
                "mean ms", "max ms", "n", "non-200", "broker CPU/req", "client CPU/req", "others");
        row(Grant.CLIENT_CREDENTIALS.label, cc);
        row(Grant.EXCHANGE.label, ex);
        System.out.println("(others: CPU of all other processes during the phases, % of one core)");
        System.out.println("per round: req/s (others)");
        double worstOthers = 0;
        for (Grant grant : Grant.values()) {
            StringBuilder rates = new StringBuilder();
            for (Phase phase : measured.get(grant)) {
                Totals t = totals(List.of(phase));
                rates.append(String.format(Locale.ROOT, " %6.0f (%2.0f%%)", t.rate(), t.othersPct()));
                worstOthers = Math.max(worstOthers, t.othersPct());
            }
            System.out.printf("  %-18s%s%n", grant.label, rates);
        }
        if (worstOthers > 10) {
            System.out.printf(Locale.ROOT, "NOTE: other processes used up to %.0f%% of a core during a measured phase:"
                    + " the cores were not the benchmark's alone; those rounds' rates are low.%n", worstOthers);
        }
        for (Grant grant : Grant.values()) {
            List<Phase> phases = measured.get(grant);
            double first = totals(phases.subList(0, 1)).rate();
            double last = totals(phases.subList(phases.size() - 1, phases.size())).rate();
            if (phases.size() > 1 && Math.abs(last - first) > 0.2 * first) {
                System.out.printf(Locale.ROOT, "NOTE: %s moved from %.0f to %.0f req/s between the first and the last"
                        + " round: not steady (other load came or went, or the JIT was still at work: then a"
                        + " larger WARMUP).%n",
                        grant.label, first, last);
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "exchange / client_credentials: req/s %.3f   p50 %.2fx   p99 %.2fx   broker CPU"
                + " per request %.2fx%n", ex.rate() / cc.rate(), ex.stats()[0] / cc.stats()[0],
                ex.stats()[1] / cc.stats()[1], ex.brokerCpuMsPerReq() / cc.brokerCpuMsPerReq());
        System.out.printf(Locale.ROOT, "signatures: an exchange makes the broker verify an RS256 (RSA-2048) CI token,"
                + " a client_credentials login an ES256 (P-256)%n            assertion; that difference is part of"
                + " what is measured. One thread, this JDK: RS256 verify %.1f us, ES256 verify %.1f us.%n",
                verifyMicros[0], verifyMicros[1]);
        System.out.printf("issuer: the broker fetched the discovery document %d time(s) and the keys %d time(s)"
                + " (cached 10 min)%n", issuer.discoveryFetches(), issuer.jwksFetches());
        long added = auditAfter[0] - auditBefore[0];
        int ok = cc.ok() + ex.ok();
        boolean valid = auditAfter[1] == 1;
        System.out.printf("audit: %d records added during the measured rounds (%d answers 200); hash chain valid: %s"
                + " (%d records checked)%n", added, ok, valid, auditAfter[0]);
        if (!valid) {
            fail("GET /v1/audit/verify: the hash chain did not verify");
        }
        if (added < ok) {
            fail("fewer audit records added (" + added + ") than agent tokens issued (" + ok + ")");
        }
        for (String f : failures) {
            System.out.println("FAIL: " + f);
        }
    }

    private static void row(String label, Totals t) {
        System.out.printf(Locale.ROOT, "%-20s %9.1f %8.2f %8.2f %8.2f %8.2f %6d %8d %11.3f ms %11.3f ms %6.0f%%%n",
                label, t.rate(), t.stats()[0], t.stats()[1], t.stats()[2], t.stats()[3], t.ok(), t.total() - t.ok(),
                t.brokerCpuMsPerReq(), t.clientCpuMsPerReq(), t.othersPct());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void fail(String message) {
        failures.add(message);
        log("FAIL: " + message);
    }

    private static void log(String message) {
        System.err.println("[ExchangeProbe] " + message);
    }
}
