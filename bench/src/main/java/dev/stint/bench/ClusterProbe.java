package dev.stint.bench;

import com.nimbusds.jose.jwk.ECKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of {@code run-cluster.sh}'s suspension propagation measurement: how long a
 * broker goes on accepting an agent token after another broker sharing its database suspended
 * the agent.
 *
 * <pre>
 *   ClusterProbe suspend NODE1_URL NODE2_URL ISSUER ADMIN_TOKEN_FILE ROUNDS [TIMEOUT_MS]
 * </pre>
 *
 * Each round, with a fresh agent: registers it on node 1 (admin), logs it in on node 2
 * ({@code private_key_jwt}, {@code aud} = ISSUER) and uses the agent token there three times, so
 * that node 2 holds the login in its cache; then suspends the agent on node 1
 * ({@code POST /v1/agents/{id}/suspend}) and, from the moment that answer arrived, repeats the
 * same request on node 2, one at a time, until it answers 401.
 *
 * <p>The request is {@code GET /v1/tasks/{id}} of a task id nobody has: the broker authenticates
 * the bearer token first, so while it accepts the token the answer is 404, and 401 once it does
 * not. (The fresh agents are not in the policy's grants, so they cannot open tasks of their own;
 * authentication, where the login cache sits, is the same either way.)
 *
 * <p>Prints one {@code ROUND} line per round, then {@code SUSPEND_*=} summary lines
 * (milliseconds): median, max and min of the propagation time, the suspension call's own time,
 * how many requests node 2 still accepted (404) after the suspension had answered, and any other
 * status. Exits 1 when a round saw no 401 within TIMEOUT_MS (default 10000).
 */
public final class ClusterProbe {

    /** What node 2 answers while it accepts the token: the task asked for does not exist. */
    private static final int ACCEPTED = 404;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ClusterProbe() {
    }

    public static void main(String[] args) throws Exception {
        if ((args.length == 6 || args.length == 7) && args[0].equals("suspend")) {
            int rounds = Integer.parseInt(args[5]);
            long timeoutMs = args.length == 7 ? Long.parseLong(args[6]) : 10_000;
            System.exit(new ClusterProbe().suspend(HttpSetup.withoutSlash(args[1]), HttpSetup.withoutSlash(args[2]),
                    args[3], HttpSetup.readAdminToken(args[4]), rounds, timeoutMs));
        }
        System.err.println("usage: ClusterProbe suspend NODE1_URL NODE2_URL ISSUER ADMIN_TOKEN_FILE ROUNDS [TIMEOUT_MS]");
        System.exit(2);
    }

    private int suspend(String node1, String node2, String issuer, String admin, int rounds, long timeoutMs)
            throws Exception {
        HttpSetup one = new HttpSetup(node1, issuer);
        HttpSetup two = new HttpSetup(node2, issuer);
        List<Double> propagation = new ArrayList<>();
        List<Double> calls = new ArrayList<>();
        Map<Integer, Integer> other = new TreeMap<>();
        long stale = 0;
        int timedOut = 0;
        for (int round = 1; round <= rounds; round++) {
            String agentId = "bench-suspend-" + round + "-"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            ECKey key = HttpSetup.newKey();
            one.registerAgent(admin, agentId, key, "suspension propagation benchmark");
            String token = two.agentToken(agentId, key);
            String taskPath = "/v1/tasks/tsk_" + HexFormat.of().formatHex(randomBytes(12));
            for (int i = 0; i < 3; i++) {
                int status = get(node2 + taskPath, token);
                if (status != ACCEPTED) {
                    System.err.println("ClusterProbe: GET " + taskPath + " on node 2 before the suspension answered "
                            + status);
                    return 1;
                }
            }

            long callStart = System.nanoTime();
            int suspended = send(HttpRequest.newBuilder(URI.create(node1 + "/v1/agents/" + agentId + "/suspend"))
                    .POST(HttpRequest.BodyPublishers.noBody()), admin);
            long answered = System.nanoTime();
            if (suspended != 200) {
                System.err.println("ClusterProbe: POST /v1/agents/" + agentId + "/suspend on node 1 answered " + suspended);
                return 1;
            }

            int polls = 0;
            int accepted = 0;
            long seen;
            int status;
            do {
                status = get(node2 + taskPath, token);
                seen = System.nanoTime();
                polls++;
                if (status == ACCEPTED) {
                    accepted++;
                } else if (status != 401) {
                    other.merge(status, 1, Integer::sum);
                }
            } while (status != 401 && seen - answered < timeoutMs * 1_000_000L);
            double callMs = (answered - callStart) / 1e6;
            calls.add(callMs);
            stale += accepted;
            if (status != 401) {
                timedOut++;
                System.out.printf("ROUND %d agent=%s suspend_call_ms=%.1f NO 401 within %d ms (polls=%d accepted=%d)%n",
                        round, agentId, callMs, timeoutMs, polls, accepted);
                continue;
            }
            double ms = (seen - answered) / 1e6;
            propagation.add(ms);
            System.out.printf("ROUND %d agent=%s suspend_call_ms=%.1f propagation_ms=%.1f polls=%d accepted=%d%n",
                    round, agentId, callMs, ms, polls, accepted);
        }
        System.out.println("SUSPEND_ROUNDS=" + rounds);
        System.out.println("SUSPEND_TIMED_OUT=" + timedOut);
        System.out.printf("SUSPEND_MS_MEDIAN=%.1f%n", median(propagation));
        System.out.printf("SUSPEND_MS_MAX=%.1f%n", propagation.isEmpty() ? Double.NaN : Collections.max(propagation));
        System.out.printf("SUSPEND_MS_MIN=%.1f%n", propagation.isEmpty() ? Double.NaN : Collections.min(propagation));
        System.out.printf("SUSPEND_CALL_MS_MEDIAN=%.1f%n", median(calls));
        System.out.println("SUSPEND_ACCEPTED_AFTER=" + stale);
        StringBuilder others = new StringBuilder();
        other.forEach((code, count) -> others.append(others.length() == 0 ? "" : ",").append(code).append('x').append(count));
        System.out.println("SUSPEND_OTHER_STATUSES=" + (others.length() == 0 ? "none" : others));
        return timedOut == 0 ? 0 : 1;
    }

    private int get(String url, String bearer) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), bearer);
    }

    private int send(HttpRequest.Builder request, String bearer) throws Exception {
        request.timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + bearer);
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
