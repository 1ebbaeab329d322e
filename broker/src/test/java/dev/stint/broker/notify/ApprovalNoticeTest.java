package dev.stint.broker.notify;

import static dev.stint.broker.notify.NoticeFixtures.GUARDED;
import static dev.stint.broker.notify.NoticeFixtures.PURPOSE;
import static dev.stint.broker.notify.NoticeFixtures.approval;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.deployment.NotifySettings;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a notice says in each format, and that nothing an agent writes becomes Slack markup. */
class ApprovalNoticeTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final String LINK = "https://stint.example.com/ui/approvals/apr_1";

    static JsonNode slack(ApprovalNotice notice) throws Exception {
        return new ObjectMapper().readTree(notice.body(NotifySettings.Format.SLACK));
    }

    @Test
    void aSlackRequestStartsWithTheHeadlineThenWhyPurposeDeadlineStatusAndLink() throws Exception {
        ApprovalNotice notice = new ApprovalNotice(approval("apr_1", T0, PURPOSE, GUARDED), ApprovalStatus.PENDING,
                List.of(), LINK);

        assertThat(slack(notice).get("text").asText().split("\n")).containsExactly(
                "Approval requested: cleanup-bot (owner alice@example.com) asks for db:orders:delete, db:orders:read"
                        + " in prod",
                "Why guarded: " + GUARDED,
                "Purpose: " + PURPOSE,
                "Deadline: 2026-11-24T11:00:00Z (request open until 2026-11-24T10:30:00Z)",
                "Status: pending",
                "<" + LINK + "|Open the approval apr_1>");
    }

    @Test
    void aSlackDecisionNamesTheVoters() throws Exception {
        ApprovalNotice notice = new ApprovalNotice(approval("apr_1", T0, PURPOSE, GUARDED), ApprovalStatus.DENIED,
                List.of(new DeliveryRows.Vote("per_bob", "bob@example.com", "Bob", "deny", T0)), LINK);

        String text = slack(notice).get("text").asText();
        assertThat(text).startsWith("Approval denied: cleanup-bot (owner alice@example.com) asked for")
                .contains("\nStatus: denied\n").contains("\nVotes: bob@example.com deny\n");
    }

    @Test
    void aPurposeCannotInjectSlackLinksOrMentions() throws Exception {
        String hostile = "<!channel> urgent & <https://evil.example|click here> <@U123>";
        ApprovalNotice notice = new ApprovalNotice(approval("apr_1", T0, hostile, "x <b> & y"),
                ApprovalStatus.PENDING, List.of(), LINK);

        String text = slack(notice).get("text").asText();
        assertThat(text).contains("Purpose: &lt;!channel&gt; urgent &amp; &lt;https://evil.example|click here&gt;"
                + " &lt;@U123&gt;").contains("Why guarded: x &lt;b&gt; &amp; y");
        assertThat(text).doesNotContain("<!channel>").doesNotContain("<https://evil").doesNotContain("<@U123>");
        // The only markup left is the page link.
        assertThat(text.chars().filter(c -> c == '<').count()).isEqualTo(1);
    }

    @Test
    void theJsonFormatKeepsTheTextAsWritten() throws Exception {
        String hostile = "<!channel> & <script>";
        ApprovalNotice notice = new ApprovalNotice(approval("apr_1", T0, hostile, GUARDED), ApprovalStatus.PENDING,
                List.of(), LINK);

        JsonNode json = new ObjectMapper().readTree(notice.body(NotifySettings.Format.JSON));
        assertThat(json.get("purpose").asText()).isEqualTo(hostile);
    }

    @Test
    void aBreakGlassRequestSaysSoInItsFirstLine() throws Exception {
        ApprovalNotice notice = new ApprovalNotice(approval("apr_1", T0, PURPOSE, "break-glass: db:orders:delete"),
                ApprovalStatus.PENDING, List.of(), LINK);

        assertThat(notice.headline()).startsWith("BREAK-GLASS Approval requested: cleanup-bot");
        assertThat(slack(notice).get("text").asText()).startsWith("BREAK-GLASS ");
        assertThat(new ObjectMapper().readTree(notice.body(NotifySettings.Format.JSON)).get("break_glass")
                .asBoolean()).isTrue();
    }

    @Test
    void anOrdinaryRequestIsNotBreakGlass() {
        ApprovalNotice notice = new ApprovalNotice(approval("apr_1", T0, "mentions break-glass in passing", GUARDED),
                ApprovalStatus.PENDING, List.of(), LINK);

        assertThat(notice.breakGlass()).isFalse();
        assertThat(notice.headline()).startsWith("Approval requested:");
    }
}
