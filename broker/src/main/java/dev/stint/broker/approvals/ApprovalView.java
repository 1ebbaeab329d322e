package dev.stint.broker.approvals;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.people.Person;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An approval request as the API answers it: what was asked, its digest, and every verdict with its evidence. */
final class ApprovalView {

    private ApprovalView() {
    }

    /** @param votes {@code null} for a list's entry, which leaves them out */
    static Map<String, Object> of(Approval approval, List<Map<String, Object>> votes, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("approval_id", approval.approvalId());
        body.put("status", approval.statusAt(now).wireName());
        body.put("agent_id", approval.agentId().value());
        body.put("task_id", approval.taskId().value());
        body.put("owner", approval.owner());
        body.put("tier", approval.tier().name());
        body.put("scopes", approval.scopes().stream().map(Object::toString).toList());
        body.put("purpose", approval.purpose());
        body.put("deadline", approval.deadline().at().toString());
        body.put("guarded", approval.guarded());
        body.put("quorum", approval.quorum());
        body.put("break_glass", approval.breakGlass());
        body.put("digest", approval.digest().text());
        body.put("requested_at", approval.requestedAt().toString());
        body.put("window_ends_at", approval.windowEndsAt().toString());
        body.put("decided_at", approval.decidedAt() == null ? null : approval.decidedAt().toString());
        if (votes != null) {
            body.put("votes", votes);
        }
        return body;
    }

    /** The verdicts on a request, each with who gave it and the evidence, as stored. */
    static List<Map<String, Object>> votes(Tx tx, String approvalId) throws UnavailableException {
        List<Map<String, Object>> votes = new ArrayList<>();
        for (VoteRows.Cast cast : new VoteRows(tx).withVoters(approvalId)) {
            Vote vote = cast.vote();
            Optional<Person> person = cast.voter();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("person_id", vote.personId());
            body.put("email", person.map(Person::email).orElse(null));
            body.put("name", person.map(Person::name).orElse(null));
            body.put("person_status", person.map(p -> p.status().wireName()).orElse(null));
            body.put("verdict", vote.verdict().wireName());
            body.put("comment", vote.comment());
            body.put("at", vote.at().toString());
            body.put("evidence", evidence(vote.evidence()));
            votes.add(body);
        }
        return votes;
    }

    private static Object evidence(String stored) {
        try {
            return Json.MAPPER.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored approval evidence is not JSON", e);
        }
    }
}
