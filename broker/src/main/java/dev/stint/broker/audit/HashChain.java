package dev.stint.broker.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The hash chain that makes the audit log tamper-evident: each record's hash covers its sequence
 * number, time, every field of its event and the previous record's hash. Fields are length
 * prefixed so that no two different records serialise alike.
 */
public final class HashChain {

    /** The {@code prevHash} of the first record. */
    public static final String GENESIS = "0".repeat(64);

    private HashChain() {
    }

    public static String hash(long seq, Instant at, AuditEvent event, String prevHash) {
        StringBuilder canonical = new StringBuilder(256);
        field(canonical, Long.toString(seq));
        field(canonical, Long.toString(at.toEpochMilli()));
        field(canonical, event.actor());
        field(canonical, event.action());
        field(canonical, event.decision().wireName());
        field(canonical, event.agentId());
        field(canonical, event.taskId());
        field(canonical, event.tier());
        field(canonical, event.scopes());
        field(canonical, event.reason());
        field(canonical, prevHash);
        if (event.origin() != null) {
            // Only records with an origin hash it: records written before origins existed still verify.
            field(canonical, event.origin().toJson());
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /**
     * Checks that {@code records}, read in sequence order from the start of the log (or from a
     * record whose predecessor is {@code expectedPrev}), are unbroken and untampered.
     *
     * @return the sequence number of the first bad record, or empty when the chain holds
     */
    public static Optional<Long> firstBreak(List<AuditRecord> records, String expectedPrev) {
        String prev = expectedPrev;
        for (AuditRecord record : records) {
            if (!record.prevHash().equals(prev)
                    || !record.hash().equals(hash(record.seq(), record.at(), record.event(), record.prevHash()))) {
                return Optional.of(record.seq());
            }
            prev = record.hash();
        }
        return Optional.empty();
    }

    private static void field(StringBuilder out, String value) {
        if (value == null) {
            out.append("-1:");
        } else {
            out.append(value.length()).append(':').append(value);
        }
        out.append('|');
    }
}
