package dev.stint.broker.audit;

import java.time.Instant;

/** One stored audit entry: the event, its place in the chain and the hash that seals it. */
public record AuditRecord(long seq, Instant at, AuditEvent event, String prevHash, String hash) {
}
