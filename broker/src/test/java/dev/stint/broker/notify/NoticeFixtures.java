package dev.stint.broker.notify;

import dev.stint.broker.approvals.Approval;
import dev.stint.broker.approvals.ApprovalDigest;
import dev.stint.broker.approvals.ApprovalRows;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.store.Store;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/** Approvals and votes written straight into a store, as the approvals feature would. */
final class NoticeFixtures {

    static final String PURPOSE = "purge rows of test tenants";
    static final String GUARDED = "db:orders:delete (destructive, 2 approvers)";

    private NoticeFixtures() {
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    static Approval approval(String id, Instant requestedAt, String purpose, String guarded) {
        TaskId task = new TaskId("tsk_" + id);
        AgentId agent = new AgentId("cleanup-bot");
        TaskDeadline deadline = new TaskDeadline(requestedAt.plusSeconds(3600));
        List<Scope> scopes = List.of(Scope.parse("db:orders:delete"), Scope.parse("db:orders:read"));
        return new Approval(id, agent, task, "alice@example.com", new Tier("prod"), scopes, purpose, deadline,
                ApprovalDigest.of(task, agent, "alice@example.com", new Tier("prod"), scopes, purpose, deadline), 2,
                guarded, ApprovalStatus.PENDING, requestedAt, requestedAt.plusSeconds(1800), null,
                guarded.startsWith("break-glass"));
    }

    static Approval insert(Store store, Approval approval) {
        await(store.write(tx -> {
            new ApprovalRows(tx).insert(approval);
            return null;
        }));
        return approval;
    }

    static void decide(Store store, String approvalId, ApprovalStatus status, Instant at) {
        await(store.write(tx -> new ApprovalRows(tx).decide(approvalId, status, at)));
    }

    /** A person, and their verdict on an approval (as the approvals feature records it). */
    static void vote(Store store, String approvalId, String personId, String email, String verdict, Instant at) {
        await(store.write(tx -> {
            tx.update("INSERT INTO people (person_id, email, name, roles, status, created_at, updated_at)"
                    + " VALUES (?, ?, ?, 'approver', 'active', ?, ?)", ps -> {
                        ps.setString(1, personId);
                        ps.setString(2, email);
                        ps.setString(3, "Person " + personId);
                        ps.setLong(4, at.toEpochMilli());
                        ps.setLong(5, at.toEpochMilli());
                    });
            return tx.update("INSERT INTO approval_votes (approval_id, person_id, verdict, comment, evidence, at)"
                    + " VALUES (?, ?, ?, NULL, 'test', ?)", ps -> {
                        ps.setString(1, approvalId);
                        ps.setString(2, personId);
                        ps.setString(3, verdict);
                        ps.setLong(4, at.toEpochMilli());
                    });
        }));
    }

    static List<Delivery> deliveries(Store store, String approvalId) {
        return await(store.read(tx -> new DeliveryRows(tx).ofApproval(approvalId)));
    }

    static Approval current(Store store, String approvalId) {
        return await(store.read(tx -> new ApprovalRows(tx).find(approvalId))).orElseThrow();
    }
}
