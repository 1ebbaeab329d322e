package dev.stint.broker.ui;

import static dev.stint.broker.ui.Html.escape;

import dev.stint.broker.approvals.Approval;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.approvals.Vote;
import dev.stint.broker.people.Person;
import dev.stint.token.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The approval pages: the lists of requests by status, and one request with what its approver's
 * passkey signs and the buttons to decide it. Every field is escaped; the one script file
 * ({@code approvals.js}) does the deciding.
 */
final class ApprovalPages {

    static final String SCRIPT = "approvals.js";

    private ApprovalPages() {
    }

    /** The requests in {@code status}, newest first. */
    static String list(Person viewer, String csrf, ApprovalStatus status, List<ApprovalCase> cases, Instant now) {
        StringBuilder main = new StringBuilder(4096);
        main.append("<h1>Approval requests</h1>\n").append(tabs(status));
        main.append("<p class=\"count\" id=\"count\">").append(count(cases.size(), status)).append("</p>\n");
        if (!cases.isEmpty()) {
            main.append("<ol class=\"cards\" id=\"requests\">\n");
            for (ApprovalCase request : cases) {
                main.append(card(request, now));
            }
            main.append("</ol>\n");
        }
        return Pages.layout(title(status) + " approval requests", csrf, SCRIPT, bar(viewer, csrf), main.toString());
    }

    /** One request, its verdicts, and what {@code viewer} may do about it. */
    static String request(Person viewer, String csrf, ApprovalCase request, Standing standing, Instant now) {
        Approval approval = request.approval();
        String status = request.status().wireName();
        StringBuilder main = new StringBuilder(4096);
        main.append("<p><a href=\"/ui/approvals?status=").append(status).append("\">All ").append(status)
                .append(" requests</a></p>\n");
        main.append("<h1>").append(headline(approval)).append("</h1>\n");
        main.append("<p>").append(badge(request.status()))
                .append(approval.breakGlass() ? " <span class=\"badge break-glass\">Break-glass</span>" : "")
                .append(" <span class=\"id\">")
                .append(escape(approval.approvalId())).append("</span></p>\n");
        main.append("<section aria-labelledby=\"asked\">\n<h2 id=\"asked\">What is asked</h2>\n")
                .append(fields(request, now, true)).append("</section>\n");
        main.append("<section aria-labelledby=\"signed\">\n<h2 id=\"signed\">What an approval signs</h2>\n")
                .append("<p>Approving signs, with your passkey, a challenge derived from this digest of everything"
                        + " above (task, agent, owner, tier, scopes, purpose, deadline):</p>\n")
                .append("<p><code id=\"digest\" class=\"digest\">").append(escape(approval.digest().text()))
                .append("</code></p>\n</section>\n");
        main.append("<section aria-labelledby=\"verdicts\">\n<h2 id=\"verdicts\">Verdicts so far</h2>\n")
                .append(verdicts(request)).append("</section>\n");
        main.append(decision(approval, standing));
        return Pages.layout(headlineText(approval), csrf, SCRIPT, bar(viewer, csrf), main.toString());
    }

    /** No request has that id, or the address names none. */
    static String notFound(Person viewer, String csrf) {
        return Pages.layout("Request not found", csrf, SCRIPT, bar(viewer, csrf), """
                <h1>Request not found</h1>
                <p id="why">No approval request has that id.</p>
                <p><a href="/ui/approvals">All pending requests</a></p>
                """);
    }

    /** A list asked for with a status that is none of the four. */
    static String badStatus(Person viewer, String csrf) {
        return Pages.layout("No such list", csrf, SCRIPT, bar(viewer, csrf), "<h1>No such list</h1>\n"
                + "<p id=\"why\">Requests are listed as pending, approved, denied or expired.</p>\n"
                + tabs(null));
    }

    /** The signed-in bar: home, the requests, who is signed in, and signing out. */
    private static String bar(Person viewer, String csrf) {
        return "<header class=\"bar\">\n<nav aria-label=\"Stint\"><a href=\"/ui/\" class=\"brand\">Stint</a>"
                + " <a href=\"/ui/approvals\">Approvals</a></nav>\n"
                + "<span class=\"who\" id=\"who\">" + escape(viewer.displayName()) + "</span>\n"
                + "<form method=\"post\" action=\"/ui/sign-out\">"
                + "<input type=\"hidden\" name=\"" + Csrf.FIELD + "\" value=\"" + escape(csrf) + "\">"
                + "<button type=\"submit\" id=\"sign-out\" class=\"quiet\">Sign out</button></form>\n"
                + "</header>\n";
    }

    private static String tabs(ApprovalStatus current) {
        StringBuilder out = new StringBuilder("<nav class=\"tabs\" aria-label=\"Requests by status\"><ul>\n");
        for (ApprovalStatus status : ApprovalStatus.values()) {
            out.append("<li><a href=\"/ui/approvals?status=").append(status.wireName()).append('"')
                    .append(status == current ? " aria-current=\"page\"" : "").append('>')
                    .append(title(status)).append("</a></li>\n");
        }
        return out.append("</ul></nav>\n").toString();
    }

    private static String card(ApprovalCase request, Instant now) {
        Approval approval = request.approval();
        String id = escape(approval.approvalId());
        StringBuilder out = new StringBuilder(1024);
        out.append("<li class=\"card\" data-approval=\"").append(id).append("\">\n");
        out.append("<h2><a href=\"/ui/approvals/").append(id).append("\">").append(headline(approval))
                .append("</a></h2>\n");
        out.append("<p class=\"purpose\">").append(escape(approval.purpose())).append("</p>\n");
        out.append(fields(request, now, false));
        if (!request.verdicts().isEmpty() || request.status() != ApprovalStatus.PENDING) {
            out.append(verdicts(request));
        }
        return out.append("</li>\n").toString();
    }

    /** The request's context as a list of terms; {@code whole} adds the ids and the purpose. */
    private static String fields(ApprovalCase request, Instant now, boolean whole) {
        Approval approval = request.approval();
        boolean pending = request.status() == ApprovalStatus.PENDING;
        StringBuilder out = new StringBuilder(1024).append("<dl class=\"fields\">\n");
        field(out, "Agent", "<span class=\"agent\">" + escape(approval.agentId().value()) + "</span>");
        field(out, "Owner", "<span class=\"owner\">" + escape(approval.owner()) + "</span>");
        if (whole) {
            field(out, "Task", "<code>" + escape(approval.taskId().value()) + "</code>");
            field(out, "Purpose", "<span class=\"purpose\">" + escape(approval.purpose()) + "</span>");
        }
        field(out, "Tier", escape(approval.tier().name()));
        field(out, "Scopes", scopes(approval.scopes()));
        field(out, "Why guarded", "<span class=\"guarded\">" + escape(approval.guarded()) + "</span>"
                + (approval.breakGlass() ? " <strong class=\"break-glass\">Break-glass: approving lets this task"
                        + " through a freeze in force.</strong>" : ""));
        field(out, "Deadline", pending ? When.time(approval.deadline().at(), now)
                : When.time(approval.deadline().at()));
        if (whole) {
            field(out, "Requested", When.time(approval.requestedAt(), now));
        }
        field(out, "Window ends", pending ? When.time(approval.windowEndsAt(), now)
                : When.time(approval.windowEndsAt()));
        field(out, "Approvals", "<span class=\"tally\">" + request.approvals() + " of " + approval.quorum()
                + "</span>");
        if (approval.decidedAt() != null) {
            field(out, title(request.status()), When.time(approval.decidedAt()));
        }
        return out.append("</dl>\n").toString();
    }

    private static void field(StringBuilder out, String term, String markup) {
        out.append("<div><dt>").append(escape(term)).append("</dt><dd>").append(markup).append("</dd></div>\n");
    }

    private static String scopes(List<Scope> scopes) {
        StringBuilder out = new StringBuilder("<ul class=\"scopes\">");
        for (Scope scope : scopes) {
            out.append("<li><code>").append(escape(scope.toString())).append("</code></li>");
        }
        return out.append("</ul>").toString();
    }

    private static String verdicts(ApprovalCase request) {
        if (request.verdicts().isEmpty()) {
            return "<p class=\"verdicts none\">Nobody has decided yet.</p>\n";
        }
        StringBuilder out = new StringBuilder("<ul class=\"verdicts\">\n");
        for (ApprovalCase.Verdict verdict : request.verdicts()) {
            boolean approved = verdict.verdict() == Vote.Verdict.APPROVE;
            out.append("<li class=\"verdict ").append(approved ? "approve" : "deny").append("\">")
                    .append(approved ? "Approved" : "Denied").append(" by <strong class=\"person\">")
                    .append(escape(verdict.who())).append("</strong>");
            if (verdict.email() != null && !verdict.email().equals(verdict.who())) {
                out.append(" <span class=\"email\">(").append(escape(verdict.email())).append(")</span>");
            }
            out.append(" at ").append(When.time(verdict.at()));
            if (verdict.comment() != null) {
                out.append("<blockquote class=\"comment\">").append(escape(verdict.comment()))
                        .append("</blockquote>");
            }
            out.append("</li>\n");
        }
        return out.append("</ul>\n").toString();
    }

    /** The comment box and buttons, or why there are none. */
    private static String decision(Approval approval, Standing standing) {
        StringBuilder out = new StringBuilder(1024)
                .append("<section aria-labelledby=\"decide\">\n<h2 id=\"decide\">Your decision</h2>\n");
        if (standing.why() != null) {
            out.append("<p id=\"cannot\" class=\"notice\">").append(escape(standing.why())).append("</p>\n");
        }
        if (standing.mayAct()) {
            out.append("<div id=\"decision\" data-approval=\"").append(escape(approval.approvalId())).append('"')
                    .append(standing.mayApprove() ? " data-approve-with=\"" + standing.approveWith().wireName() + '"'
                            : "")
                    .append(">\n<label for=\"comment\">Comment</label>\n")
                    .append("<textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"1000\""
                            + " aria-describedby=\"comment-hint\"></textarea>\n")
                    .append("<p id=\"comment-hint\" class=\"hint\">Optional. It is kept with your verdict in the"
                            + " audit log.</p>\n<div class=\"actions\">\n");
            if (standing.mayApprove()) {
                out.append("<button type=\"button\" id=\"approve\" class=\"approve\">Approve</button>\n");
            }
            out.append("<button type=\"button\" id=\"deny\" class=\"deny\">Deny</button>\n</div>\n</div>\n");
        }
        out.append("<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>\n")
                .append("<p id=\"reauth\" hidden><a href=\"/ui/sign-in/oidc?next=/ui/approvals/")
                .append(escape(approval.approvalId()))
                .append("\">Sign in again with single sign-on</a>, then approve.</p>\n");
        return out.append("</section>\n").toString();
    }

    private static String headline(Approval approval) {
        return escape(headlineText(approval));
    }

    private static String headlineText(Approval approval) {
        return approval.agentId().value() + " asks for " + String.join(" ", approval.scopes().stream()
                .map(Scope::toString).toList()) + " in " + approval.tier().name();
    }

    private static String badge(ApprovalStatus status) {
        return "<span class=\"badge " + status.wireName() + "\" id=\"request-status\">" + title(status) + "</span>";
    }

    private static String count(int n, ApprovalStatus status) {
        String what = status.wireName() + " request" + (n == 1 ? "" : "s");
        if (n == 0) {
            return "No " + what + ".";
        }
        return n + " " + what + (n == ApprovalCase.LIST_LIMIT ? " (the newest " + n + ")" : "") + ", newest first.";
    }

    static String title(ApprovalStatus status) {
        String name = status.wireName();
        return name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
    }
}
