package dev.stint.broker.notify;

import dev.stint.broker.approvals.Approval;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.deployment.NotifySettings;
import dev.stint.broker.http.Json;
import dev.stint.token.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What one notice says: an approval as it was asked, the status it reached, who voted, and the
 * page where it is decided. Written as Stint's JSON object or as a Slack message; the first line
 * (the headline) is built in one place, {@link #headline()}, for both.
 *
 * @param status the status the notice is about ("pending" for the request), which may be older
 *     than the approval's current one when a notice is posted late
 * @param link the approval's page, {@code ORIGIN/ui/approvals/ID}
 */
record ApprovalNotice(Approval approval, ApprovalStatus status, List<DeliveryRows.Vote> votes, String link) {

    /** The headline's first word when the request is a break-glass one. */
    static final String BREAK_GLASS = "BREAK-GLASS";

    ApprovalNotice {
        Objects.requireNonNull(approval, "approval");
        Objects.requireNonNull(status, "status");
        votes = List.copyOf(votes);
        Objects.requireNonNull(link, "link");
    }

    /** The page of approval {@code approvalId} under the pages' origin. */
    static String link(String pagesOrigin, String approvalId) {
        return pagesOrigin + "/ui/approvals/" + approvalId;
    }

    String event() {
        return "approval." + (status == ApprovalStatus.PENDING ? "requested" : status.wireName());
    }

    /** Whether approving the request breaks the glass of a freeze in force: its first line says so. */
    boolean breakGlass() {
        return approval.breakGlass();
    }

    /**
     * The first line, plain text: what happened, who asked, for what and where. Starts with
     * {@value #BREAK_GLASS} for a break-glass request.
     */
    String headline() {
        String what = switch (status) {
            case PENDING -> "Approval requested: %s (owner %s) asks for %s in %s";
            case APPROVED -> "Approval granted: %s (owner %s) may have %s in %s";
            case DENIED -> "Approval denied: %s (owner %s) asked for %s in %s";
            case EXPIRED -> "Approval expired: %s (owner %s) asked for %s in %s";
        };
        String line = what.formatted(approval.agentId().value(), approval.owner(), scopes(), approval.tier().name());
        return breakGlass() ? BREAK_GLASS + " " + line : line;
    }

    /** The body for a webhook of {@code format}, as UTF-8. */
    byte[] body(NotifySettings.Format format) {
        Map<String, Object> body = format == NotifySettings.Format.SLACK ? slack() : json();
        return Json.write(body).getBytes();
    }

    private Map<String, Object> json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event());
        body.put("summary", headline());
        body.put("break_glass", breakGlass());
        body.put("approval_id", approval.approvalId());
        body.put("status", status.wireName());
        body.put("agent_id", approval.agentId().value());
        body.put("task_id", approval.taskId().value());
        body.put("owner", approval.owner());
        body.put("tier", approval.tier().name());
        body.put("scopes", approval.scopes().stream().map(Scope::toString).toList());
        body.put("guarded", approval.guarded());
        body.put("quorum", approval.quorum());
        body.put("purpose", approval.purpose());
        body.put("requested_at", approval.requestedAt().toString());
        body.put("deadline", approval.deadline().at().toString());
        body.put("window_ends_at", approval.windowEndsAt().toString());
        body.put("decided_at", approval.decidedAt() == null || status == ApprovalStatus.PENDING ? null
                : approval.decidedAt().toString());
        List<Map<String, Object>> decidedBy = new ArrayList<>();
        for (DeliveryRows.Vote vote : votes) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("person_id", vote.personId());
            one.put("email", vote.email());
            one.put("verdict", vote.verdict());
            one.put("at", vote.at() == null ? null : vote.at().toString());
            decidedBy.add(one);
        }
        body.put("decided_by", decidedBy);
        body.put("link", link);
        return body;
    }

    /**
     * A Slack incoming-webhook payload. Every value that came from an agent or a person is
     * escaped for Slack's mrkdwn ({@code &}, {@code <}, {@code >}), so that none can add a link
     * or a mention ({@code <!channel>}); only the page link is written as a link.
     */
    private Map<String, Object> slack() {
        List<String> lines = new ArrayList<>();
        lines.add(escape(headline()));
        lines.add("Why guarded: " + escape(approval.guarded()));
        lines.add("Purpose: " + escape(approval.purpose()));
        lines.add("Deadline: " + approval.deadline().at() + " (request open until " + approval.windowEndsAt() + ")");
        lines.add("Status: " + status.wireName());
        if (!votes.isEmpty()) {
            lines.add("Votes: " + votes.stream()
                    .map(v -> escape(v.email() != null ? v.email() : v.personId()) + " " + escape(v.verdict()))
                    .collect(Collectors.joining(", ")));
        }
        lines.add("<" + escape(link) + "|Open the approval " + escape(approval.approvalId()) + ">");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", String.join("\n", lines));
        return body;
    }

    private String scopes() {
        return approval.scopes().stream().map(Scope::toString).collect(Collectors.joining(", "));
    }

    /** Slack's control characters in mrkdwn text: https://api.slack.com/reference/surfaces/formatting#escaping. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
