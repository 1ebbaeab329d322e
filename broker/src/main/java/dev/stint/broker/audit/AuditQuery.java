package dev.stint.broker.audit;

import java.time.Instant;

/**
 * Filters for reading the audit log; {@code null} fields do not filter.
 *
 * @param afterSeq only records with a larger sequence number (for paging)
 * @param limit at most this many records, oldest first
 */
public record AuditQuery(String taskId, String agentId, Instant since, long afterSeq, int limit) {
}
