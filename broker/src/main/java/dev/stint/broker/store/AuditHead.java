package dev.stint.broker.store;

/** The end of the audit hash chain as the single writer sees it. */
record AuditHead(long seq, String hash) {
}
