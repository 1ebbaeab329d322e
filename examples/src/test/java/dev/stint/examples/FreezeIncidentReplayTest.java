package dev.stint.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.approvals.Approvers;
import dev.stint.broker.ui.PagesClient;
import dev.stint.examples.FreezeIncidentReplay.Approved;
import dev.stint.examples.FreezeIncidentReplay.Ended;
import dev.stint.examples.FreezeIncidentReplay.Pending;
import dev.stint.examples.FreezeIncidentReplay.Refused;
import dev.stint.sdk.AgentKeys;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.StintClientOptions;
import dev.stint.sdk.TaskStatus;
import dev.stint.token.AgentId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FreezeIncidentReplay} against a real broker with the sample policy and a clock the test
 * moves: refused during the weekend freeze, pending outside it, the owner's approval refused, two
 * other approvers' accepted, and the next weekend freeze ending the task it catches.
 */
class FreezeIncidentReplayTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** Saturday 21 November 2026, 11:00 in Berlin: inside the weekend freeze. */
    static final Instant SATURDAY = ZonedDateTime.of(2026, 11, 21, 11, 0, 0, 0, BERLIN).toInstant();
    /** Friday 27 November 2026, 15:50 in Berlin: ten minutes before the next weekend freeze. */
    static final Instant FRIDAY_AFTERNOON = ZonedDateTime.of(2026, 11, 27, 15, 50, 0, 0, BERLIN).toInstant();
    /** When that freeze starts: Friday 16:00 in Berlin, 15:00 UTC. */
    static final Instant FREEZE_STARTS = ZonedDateTime.of(2026, 11, 27, 16, 0, 0, 0, BERLIN).toInstant();
    static final String FREEZE_REASON = "No destructive changes over the weekend";
    static final String REFUSAL = "scope db:orders:delete is frozen in tier prod until 2026-11-23T07:00:00Z: "
            + FREEZE_REASON;
    static final String ENDED_BY_FREEZE = "ended by freeze \"" + FREEZE_REASON + "\" (prod: delete)";
    static final Pattern PAGE = Pattern.compile("people decide at (\\S+/ui/approvals/(apr_[A-Za-z0-9_-]+))");

    /** The incident step by step, the clock moved between steps: one replay, each outcome its own test. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class StepByStep {

        final MutableClock clock = new MutableClock(SATURDAY);
        final Output output = new Output();
        BrokerHarness broker;
        StintClient client;
        Refused duringFreeze;
        Pending pending;
        PagesClient.Page ownersApproval;
        Approved approved;
        Ended ended;

        @BeforeAll
        void replay(@TempDir Path dir) throws Exception {
            broker = BrokerHarness.start(dir, clock);
            TestAgent agent = broker.registerAgent("demo-agent", "prod");
            URI issuer = URI.create(broker.issuer());
            client = StintClient.create(StintClientOptions.of(issuer, new AgentId("demo-agent"), agent.key(), clock));
            FreezeIncidentReplay replay = new FreezeIncidentReplay(client, issuer, clock, output.stream());

            duringFreeze = (Refused) replay.ask();

            clock.set(FRIDAY_AFTERNOON);
            pending = (Pending) replay.ask();
            // The agent's owner is alice@example.com; she is an approver, but not of her own agent's task.
            ownersApproval = Approvers.signedIn(broker, "alice", "alice@example.com", "[\"approver\"]")
                    .approve(pending.approvalId());
            assertThat(Approvers.approver(broker, "bob").approve(pending.approvalId()).status()).isEqualTo(200);
            assertThat(Approvers.approver(broker, "carol").approve(pending.approvalId()).status()).isEqualTo(200);
            approved = replay.awaitApproval(pending, Duration.ofSeconds(10));

            clock.set(FREEZE_STARTS);
            // The freeze sweep runs every second of real time: a bounded wait for it, not for the clock.
            ended = replay.workUntilEnded(approved, Duration.ofMillis(100), Duration.ofSeconds(20));
        }

        @AfterAll
        void stop() {
            if (broker != null) {
                broker.close();
            }
        }

        @Test
        void duringTheFreezeTheTaskIsRefusedWithTheFreezesReasonAndNothingIsIssued() {
            assertThat(duringFreeze.status()).isEqualTo(403);
            assertThat(duringFreeze.problemType()).isEqualTo("urn:stint:problem:policy-denied");
            assertThat(duringFreeze.detail()).isEqualTo(REFUSAL);
            assertThat(output.out()).contains("1. it asks for a prod task with db:orders:delete (its clock: "
                    + SATURDAY + ")\n   refused: HTTP 403 urn:stint:problem:policy-denied: " + REFUSAL
                    + "\n   nothing issued\n");
            List<JsonNode> saturday = audit("?agent_id=demo-agent").stream()
                    .filter(r -> r.path("at").asText().startsWith("2026-11-21")).toList();
            assertThat(saturday).filteredOn(r -> r.get("action").asText().startsWith("task."))
                    .extracting(r -> r.get("action").asText() + " " + r.get("decision").asText() + ": "
                            + r.get("reason").asText())
                    .containsExactly("task.open deny: " + REFUSAL);
            assertThat(saturday).extracting(r -> r.get("action").asText()).doesNotContain("token.mint");
        }

        @Test
        void outsideTheFreezeTheTaskIsPendingWithItsApprovalAndThePageWherePeopleDecide() {
            assertThat(pending.approvalId()).startsWith("apr_");
            assertThat(pending.page()).hasToString(broker.issuer() + "/ui/approvals/" + pending.approvalId());
            assertThat(output.out()).contains("2. it asks for a prod task with db:orders:delete (its clock: "
                    + FRIDAY_AFTERNOON + ")\n   pending: task " + pending.session().taskId() + " awaits approval "
                    + pending.approvalId() + "; nothing is issued until people approve\n")
                    .contains("3. people decide at " + pending.page() + "\n"
                            + "   waiting for two approvers other than the owner (up to 10s)\n");
        }

        @Test
        void theAgentsOwnerCannotApprove() {
            assertThat(ownersApproval.status()).as(ownersApproval.body()).isEqualTo(403);
            assertThat(ownersApproval.text("detail")).contains("cannot approve its own agent's task");
        }

        @Test
        void twoOtherApproversMakeTheTaskActiveAndItsTokenNamesThem() {
            assertThat(approved.session().isPending()).isFalse();
            assertThat(approved.approvers()).containsExactly("bob", "carol");
            assertThat(output.out()).contains("   approved: task " + approved.session().taskId() + " is active until "
                    + approved.session().deadline().at() + "; its token (fingerprint "
                    + approved.token().fingerprint() + ") names the approvers bob, carol\n");
        }

        @Test
        void theFreezeThatStartsMidTaskEndsItWithItsReason() {
            assertThat(ended.status()).isEqualTo(TaskStatus.ENDED);
            assertThat(ended.reason()).isEqualTo(ENDED_BY_FREEZE);
            assertThat(output.out()).contains("4. it works on task " + approved.session().taskId())
                    // Its cached token is cut at the freeze's start: the next is refused, by the freeze or as ended.
                    .containsPattern("   its next token is refused: .*" + FREEZE_REASON)
                    .contains("   ended (its clock: " + FREEZE_STARTS + "): " + ENDED_BY_FREEZE + "\n");
        }

        @Test
        void theEndedTasksTokenIsRevoked() {
            BrokerHarness.Response introspection = broker.introspect(approved.token().value());

            assertThat(introspection.status()).isEqualTo(200);
            assertThat(introspection.json().get("active").asBoolean()).isFalse();
        }

        @Test
        void theAuditLogTellsTheStory() {
            String taskId = approved.session().taskId().value();
            String request = "request " + pending.approvalId() + ": ";
            List<String> story = audit("?since=" + FRIDAY_AFTERNOON).stream()
                    .filter(r -> taskId.equals(r.path("task_id").asText())
                            || r.path("reason").asText().startsWith(request))
                    .map(r -> r.get("action").asText() + " " + r.get("decision").asText() + " "
                            + r.path("actor").asText())
                    .toList();

            assertThat(story).startsWith("task.open pending agent:demo-agent")
                    .containsSubsequence("approval.approve deny person:alice", "approval.approve allow person:bob",
                            "approval.approve allow person:carol", "approval.granted allow system",
                            "token.mint allow agent:demo-agent", "task.freeze allow system");
            assertThat(audit("?task_id=" + taskId)).filteredOn(r -> "task.freeze".equals(r.get("action").asText()))
                    .extracting(r -> r.get("reason").asText())
                    .containsExactly("task ended (" + ENDED_BY_FREEZE + "); 1 token(s) revoked");
        }

        @Test
        void noTokenIsPrinted() throws Exception {
            assertThat(output.out() + output.err()).doesNotContain(approved.token().value())
                    .doesNotContain(client.agentToken().value())
                    .doesNotContain("eyJ");
        }

        /** The broker's audit records for {@code query}, as the security team would ask. */
        List<JsonNode> audit(String query) {
            BrokerHarness.Response audit = broker.get("/v1/audit" + query, broker.adminToken());
            assertThat(audit.status()).isEqualTo(200);
            return StreamSupport.stream(audit.json().get("records").spliterator(), false).toList();
        }
    }

    /** The program as a person runs it: it reports what happened at the time it runs. */
    @Nested
    class TheProgram {

        @TempDir
        Path dir;
        final Output output = new Output();

        @Test
        void duringTheFreezeItReportsTheRefusalAndExitsZero() throws Exception {
            try (BrokerHarness broker = BrokerHarness.start(dir.resolve("data"), new MutableClock(SATURDAY))) {
                int status = run(broker);

                assertThat(status).as(output.err()).isZero();
                assertThat(output.out()).contains("   refused: HTTP 403 urn:stint:problem:policy-denied: " + REFUSAL)
                        .endsWith("STOPPED: the prod task was refused and nothing was issued (outside a freeze it"
                                + " would wait for people)\n");
            }
        }

        @Test
        void outsideTheFreezeItWaitsForPeopleAndReportsTheFreezeThatEndsTheTask() throws Exception {
            MutableClock clock = new MutableClock(FRIDAY_AFTERNOON);
            try (BrokerHarness broker = BrokerHarness.start(dir.resolve("data"), clock)) {
                Approvers alice = Approvers.signedIn(broker, "alice", "alice@example.com", "[\"approver\"]");
                Approvers bob = Approvers.approver(broker, "bob");
                Approvers carol = Approvers.approver(broker, "carol");
                CompletableFuture<Integer> replay = CompletableFuture.supplyAsync(() -> run(broker));

                Matcher page = PAGE.matcher(awaitOutput(replay, "waiting for two approvers other than the owner"));
                assertThat(page.find()).isTrue();
                assertThat(page.group(1)).isEqualTo(broker.issuer() + "/ui/approvals/" + page.group(2));
                PagesClient.Page owners = alice.approve(page.group(2));
                assertThat(owners.status()).as(owners.body() + "\n" + output.out()).isEqualTo(403);
                assertThat(bob.approve(page.group(2)).status()).isEqualTo(200);
                assertThat(carol.approve(page.group(2)).status()).isEqualTo(200);
                awaitOutput(replay, "3. it works on task ");
                clock.set(FREEZE_STARTS);
                int status = replay.get(30, TimeUnit.SECONDS);

                assertThat(status).as(output.err()).isZero();
                assertThat(output.out()).contains("names the approvers bob, carol\n")
                        .contains("   ended (its clock: " + FREEZE_STARTS + "): " + ENDED_BY_FREEZE + "\n")
                        .endsWith("STOPPED: people decided, and the broker ended the task (ended)\n")
                        .doesNotContain("eyJ");
            }
        }

        @Test
        void aBrokerThatIsNotThereCannotBeReplayed() throws Exception {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            Path key = dir.resolve("agent.jwk");
            AgentKeys.writePrivate(AgentKeys.generate(), key);

            int status = FreezeIncidentReplay.run(new String[] {"--url", "http://127.0.0.1:" + port, "--key",
                    key.toString()}, Map.of(), output.stream(), output.errStream(), new MutableClock(SATURDAY));

            assertThat(status).isEqualTo(2);
            assertThat(output.err()).startsWith("could not replay: broker unavailable: ");
        }

        /** Registers demo-agent with a key file and runs the program against {@code broker} on its clock. */
        private int run(BrokerHarness broker) {
            try {
                TestAgent agent = broker.registerAgent("demo-agent", "prod");
                Path key = dir.resolve("agent.jwk");
                AgentKeys.writePrivate(agent.key(), key);
                return FreezeIncidentReplay.run(new String[] {"--url", broker.issuer(), "--key", key.toString(),
                        "--wait", "30s"}, Map.of(), output.stream(), output.errStream(), broker.clock());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }

        /** The output once it contains {@code text}, waiting at most 20 s of real time for the program. */
        private String awaitOutput(CompletableFuture<Integer> replay, String text) throws InterruptedException {
            return waitFor(() -> output.out().contains(text) || replay.isDone(), output::out);
        }
    }

    private static String waitFor(Supplier<Boolean> done, Supplier<String> then) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!done.get() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        return then.get();
    }

    /** What the program printed, and the streams it prints to. */
    static final class Output {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        private final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

        PrintStream stream() {
            return outStream;
        }

        PrintStream errStream() {
            return errStream;
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }
}
