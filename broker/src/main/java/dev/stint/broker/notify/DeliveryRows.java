package dev.stint.broker.notify;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The approval notices owed to webhooks ({@code webhook_deliveries}), and what they are built
 * from that the approvals feature does not hand out: who voted. Database only, like every rows
 * class: the posts happen outside the unit.
 */
final class DeliveryRows {

    private static final String COLUMNS = "delivery_id, approval_id, status, webhook_id, attempts, next_attempt_at,"
            + " delivered_at, last_error";

    /** An approval whose current status no notice to one webhook covers yet. */
    record Unnotified(String approvalId, ApprovalStatus status) {
    }

    /** One person's verdict on an approval, with who they are as far as the people table knows. */
    record Vote(String personId, String email, String name, String verdict, Instant at) {
    }

    /** What {@code /health} shows of one webhook. */
    record Tally(long pending, long failing, Optional<String> lastError, Optional<Instant> lastSuccessAt) {
    }

    private final Tx tx;

    DeliveryRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /**
     * Approvals whose status changed at or after {@code since} (requested, for a pending one;
     * decided, for the others) and that have no notice of that status for {@code webhookId},
     * oldest request first.
     */
    List<Unnotified> unnotified(String webhookId, Instant since, int limit) throws UnavailableException {
        return tx.many("SELECT a.approval_id, a.status FROM approvals a"
                + " WHERE ((a.status = 'pending' AND a.requested_at >= ?)"
                + " OR (a.status <> 'pending' AND a.decided_at >= ?))"
                + " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.approval_id = a.approval_id"
                + " AND d.status = a.status AND d.webhook_id = ?)"
                + " ORDER BY a.requested_at, a.approval_id LIMIT ?", ps -> {
                    set(ps, 1, since);
                    set(ps, 2, since);
                    set(ps, 3, webhookId);
                    ps.setInt(4, limit);
                }, rs -> new Unnotified(rs.getString(1), ApprovalStatus.fromWire(rs.getString(2))));
    }

    /**
     * Records a notice owed, due at {@code now}.
     *
     * @return {@code false} when one for this approval, status and webhook exists already
     */
    boolean create(String deliveryId, Unnotified what, String webhookId, Instant now) throws UnavailableException {
        return tx.update("INSERT INTO webhook_deliveries (delivery_id, approval_id, status, webhook_id, created_at,"
                + " attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?)"
                + " ON CONFLICT (approval_id, status, webhook_id) DO NOTHING", ps -> {
                    set(ps, 1, deliveryId);
                    set(ps, 2, what.approvalId());
                    set(ps, 3, what.status().wireName());
                    set(ps, 4, webhookId);
                    set(ps, 5, now);
                    set(ps, 6, now);
                }) == 1;
    }

    /**
     * Takes up to {@code limit} undelivered notices of {@code webhookIds} due by {@code now},
     * oldest due first, and moves them to {@code claimUntil} so that no other sweep posts them
     * meanwhile; one whose poster dies is taken again then.
     */
    List<Delivery> claimDue(Collection<String> webhookIds, Instant now, Instant claimUntil, int limit)
            throws UnavailableException {
        if (webhookIds.isEmpty()) {
            return List.of();
        }
        List<String> ids = List.copyOf(webhookIds);
        String in = ids.stream().map(id -> "?").collect(Collectors.joining(", "));
        List<Delivery> due = tx.many("SELECT " + COLUMNS + " FROM webhook_deliveries WHERE next_attempt_at <= ?"
                + " AND delivered_at IS NULL AND webhook_id IN (" + in + ") ORDER BY next_attempt_at, delivery_id"
                + " LIMIT ?" + tx.lockForUpdate(), ps -> {
                    set(ps, 1, now);
                    for (int i = 0; i < ids.size(); i++) {
                        set(ps, 2 + i, ids.get(i));
                    }
                    ps.setInt(2 + ids.size(), limit);
                }, DeliveryRows::row);
        for (Delivery delivery : due) {
            tx.update("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE delivery_id = ?", ps -> {
                set(ps, 1, claimUntil);
                set(ps, 2, delivery.deliveryId());
            });
        }
        return due;
    }

    /** Drops the notices delivered before {@code before}. @return how many */
    int pruneDelivered(Instant before) throws UnavailableException {
        return tx.update("DELETE FROM webhook_deliveries WHERE delivered_at < ?", ps -> set(ps, 1, before));
    }

    void delivered(String deliveryId, Instant at) throws UnavailableException {
        tx.update("UPDATE webhook_deliveries SET delivered_at = ?, last_attempt_at = ?, next_attempt_at = NULL,"
                + " attempts = attempts + 1, last_error = NULL WHERE delivery_id = ? AND delivered_at IS NULL", ps -> {
                    set(ps, 1, at);
                    set(ps, 2, at);
                    set(ps, 3, deliveryId);
                });
    }

    /** @param reason a short reason of ours; cut to {@value Delivery#MAX_ERROR} characters */
    void failed(String deliveryId, String reason, Instant at, Instant next) throws UnavailableException {
        String bounded = reason.length() <= Delivery.MAX_ERROR ? reason : reason.substring(0, Delivery.MAX_ERROR);
        tx.update("UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?,"
                + " last_error = ? WHERE delivery_id = ? AND delivered_at IS NULL", ps -> {
                    set(ps, 1, at);
                    set(ps, 2, next);
                    set(ps, 3, bounded);
                    set(ps, 4, deliveryId);
                });
    }

    Optional<Delivery> find(String deliveryId) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM webhook_deliveries WHERE delivery_id = ?",
                ps -> set(ps, 1, deliveryId), DeliveryRows::row);
    }

    /** Every notice of one approval, in the order they were created. */
    List<Delivery> ofApproval(String approvalId) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM webhook_deliveries WHERE approval_id = ?"
                + " ORDER BY created_at, delivery_id", ps -> set(ps, 1, approvalId), DeliveryRows::row);
    }

    /** The votes on an approval, earliest first. */
    List<Vote> votes(String approvalId) throws UnavailableException {
        return tx.many("SELECT v.person_id, p.email, p.name, v.verdict, v.at FROM approval_votes v"
                + " LEFT JOIN people p ON p.person_id = v.person_id WHERE v.approval_id = ?"
                + " ORDER BY v.at, v.person_id", ps -> set(ps, 1, approvalId),
                rs -> new Vote(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5)));
    }

    /** Undelivered and failing notices of one webhook, its latest failure and its latest delivery. */
    Tally tally(String webhookId) throws UnavailableException {
        long[] counts = tx.one("SELECT COUNT(*), COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0)"
                + " FROM webhook_deliveries WHERE webhook_id = ? AND delivered_at IS NULL",
                ps -> set(ps, 1, webhookId), rs -> new long[] {rs.getLong(1), rs.getLong(2)}).orElseThrow();
        Optional<String> lastError = tx.one("SELECT last_error FROM webhook_deliveries WHERE webhook_id = ?"
                + " AND delivered_at IS NULL AND attempts > 0 ORDER BY last_attempt_at DESC, delivery_id LIMIT 1",
                ps -> set(ps, 1, webhookId), rs -> Optional.ofNullable(rs.getString(1))).flatMap(error -> error);
        // MAX over no rows is one row holding NULL.
        Optional<Instant> lastSuccess = tx.one("SELECT MAX(delivered_at) FROM webhook_deliveries WHERE webhook_id = ?",
                ps -> set(ps, 1, webhookId), rs -> Optional.ofNullable(instant(rs, 1))).flatMap(at -> at);
        return new Tally(counts[0], counts[1], lastError, lastSuccess);
    }

    private static Delivery row(ResultSet rs) throws SQLException {
        return new Delivery(rs.getString(1), rs.getString(2), ApprovalStatus.fromWire(rs.getString(3)),
                rs.getString(4), rs.getInt(5), instant(rs, 6), instant(rs, 7), rs.getString(8));
    }
}
