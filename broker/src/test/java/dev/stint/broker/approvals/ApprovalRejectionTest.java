package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.ui.PagesClient;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed or hostile verdict is a clear problem+json refusal, never a 500, and changes
 * nothing: the request stays pending with no vote, and its task stays pending.
 */
class ApprovalRejectionTest {

    @TempDir
    Path dataDir;
    BrokerHarness broker;
    String taskId;
    String approvalId;
    Approvers bob;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, new MutableClock(PendingApprovalTest.TUESDAY));
        TestAgent agent = broker.registerAgent("demo-agent", "prod");
        BrokerHarness.Response opened = broker.openTask(broker.agentToken(agent), "prod",
                "[\"db:orders:delete\"]", null);
        taskId = opened.text("task_id");
        approvalId = opened.text("approval_id");
        bob = Approvers.approver(broker, "bob");
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    /** What a case sends: a path under /v1/approvals/ and a body, given the request's id and fresh options. */
    record Sent(String path, String body) {
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                refused("approve body not JSON", 400, (t) -> new Sent(t.approvalId + "/approve", "{not json")),
                refused("approve body a list", 400, (t) -> new Sent(t.approvalId + "/approve", "[]")),
                refused("unknown field", 400, (t) -> new Sent(t.approvalId + "/approve",
                        "{\"comment\":\"x\",\"approved\":true}")),
                refused("comment of the wrong type", 400, (t) -> new Sent(t.approvalId + "/deny",
                        "{\"comment\":{\"a\":1}}")),
                refused("comment too long", 400, (t) -> new Sent(t.approvalId + "/deny",
                        "{\"comment\":\"" + "x".repeat(1001) + "\"}")),
                refused("comment with control characters", 400, (t) -> new Sent(t.approvalId + "/deny",
                        "{\"comment\":\"ok\\u0000; DROP TABLE approvals\"}")),
                refused("passkey session without an assertion", 400, (t) -> new Sent(t.approvalId + "/approve",
                        "{\"comment\":\"fine\"}")),
                refused("credential without ceremony", 400, (t) -> new Sent(t.approvalId + "/approve",
                        "{\"credential\":" + t.assertion() + "}")),
                refused("ceremony that does not exist", 400, (t) -> new Sent(t.approvalId + "/approve",
                        "{\"ceremony_id\":\"' OR '1'='1\",\"credential\":" + t.assertion() + "}")),
                refused("signature not base64url", 400, (t) -> {
                    JsonNode options = t.bob.options(t.approvalId).json();
                    return new Sent(t.approvalId + "/approve", "{\"ceremony_id\":\"" + options.get("ceremony_id")
                            .asText() + "\",\"credential\":" + t.bob.key.assertion(t.bob.honest(options))
                            .replaceAll("\"signature\":\"[^\"]*\"", "\"signature\":\"%%%\"") + "}");
                }),
                refused("passkey of someone else", 400, (t) -> {
                    JsonNode options = t.bob.options(t.approvalId).json();
                    String other = Approvers.approver(t.broker, "carol").key.assertion(t.bob.honest(options));
                    return new Sent(t.approvalId + "/approve", "{\"ceremony_id\":\""
                            + options.get("ceremony_id").asText() + "\",\"credential\":" + other + "}");
                }),
                refused("assertion for another origin", 400, (t) -> {
                    JsonNode options = t.bob.options(t.approvalId).json();
                    var honest = t.bob.honest(options);
                    String evil = t.bob.key.assertion(new dev.stint.broker.people.TestAuthenticator.Made(
                            "http://evil.example", honest.rpId(), honest.challenge(), true));
                    return new Sent(t.approvalId + "/approve", "{\"ceremony_id\":\""
                            + options.get("ceremony_id").asText() + "\",\"credential\":" + evil + "}");
                }),
                refused("unknown approval id", 404, (t) -> new Sent("apr_doesnotexist/deny", "{}")),
                refused("malformed approval id", 404, (t) -> new Sent("apr_%27%3B--/deny", "{}")),
                refused("HTML in the approval id", 404, (t) -> new Sent("%3Cscript%3E/approve", "{}")));
    }

    static Arguments refused(String name, int status, Function<ApprovalRejectionTest, Sent> sent) {
        return Arguments.of(name, status, sent);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void malformedVerdictIsRefusedAndChangesNothing(String name, int status,
            Function<ApprovalRejectionTest, Sent> sent) {
        Sent request = sent.apply(this);

        PagesClient.Page answer = bob.browser.post("/v1/approvals/" + request.path(), request.body());

        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        assertThat(answer.text("detail")).isNotBlank();
        JsonNode approval = broker.get("/v1/approvals/" + approvalId, broker.adminToken()).json();
        assertThat(approval.get("status").asText()).isEqualTo("pending");
        assertThat(approval.get("votes")).isEmpty();
        JsonNode task = broker.get("/v1/tasks/" + taskId, broker.adminToken()).json();
        assertThat(task.get("status").asText()).isEqualTo("pending_approval");
    }

    /** A well-formed assertion over this request's fresh challenge. */
    String assertion() {
        return bob.key.assertion(bob.honest(bob.options(approvalId).json()));
    }
}
