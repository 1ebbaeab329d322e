package dev.stint.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stint.token.TaskDeadline;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the broker's answers about database credentials, trusting nothing: every field is
 * required and well formed, and the credentials must be for the requested role, in the
 * session's tier, still valid on arrival and not valid past the task's deadline. Anything else
 * is garbage ({@link BrokerUnavailableException}). Messages name fields, never a value that
 * could be the password.
 */
final class CredentialAnswers {

    private CredentialAnswers() {
    }

    /**
     * The credentials in the {@code 201} answer to a request for {@code role}.
     *
     * @param now when the answer arrived, by the local clock
     */
    static DatabaseCredentials credentials(ObjectNode answer, String role, Tier tier, TaskDeadline deadline,
            Instant now, String what) throws BrokerUnavailableException {
        String username = text(answer, "username", what);
        String password = text(answer, "password", what);
        String leaseId = text(answer, "lease_id", what);
        Instant expiresAt = Json.instant(answer, "expires_at", what);
        String host = Json.text(answer, "host", what);
        if (!DatabaseCredentials.isHost(host)) {
            throw Json.garbage(what, "field 'host' is not a host name, an IPv4 address or an IPv6 address");
        }
        int port = (int) Json.integer(answer, "port", 1, 65_535, what);
        String database = text(answer, "database", what);
        String answeredRole = Json.text(answer, "role", what);
        Tier answeredTier = Json.value(answer, "tier", what, Tier::new);
        // A broker answering for another role or tier is broken; its login must not be used here.
        if (!answeredRole.equals(role)) {
            throw Json.garbage(what, "the credentials are for another role than the one requested");
        }
        if (!answeredTier.equals(tier)) {
            throw Json.garbage(what, "the credentials are for tier " + answeredTier + ", not " + tier);
        }
        if (expiresAt.isAfter(deadline.at())) {
            throw Json.garbage(what, "the credentials expire at " + expiresAt + ", after the task deadline "
                    + deadline.at());
        }
        if (!now.isBefore(expiresAt)) {
            throw Json.garbage(what, "the credentials expired at " + expiresAt
                    + ", before they arrived; are the broker's and this host's clocks in step?");
        }
        return new DatabaseCredentials(username, password, leaseId, expiresAt, host, port, database, role, tier);
    }

    /** The leases in the answer to a lease list request; every one must be in {@code tier}. */
    static List<LeaseInfo> leases(ObjectNode answer, Tier tier, String what) throws BrokerUnavailableException {
        JsonNode array = answer.get("leases");
        if (array == null || !array.isArray()) {
            throw Json.garbage(what, "field 'leases' is missing or not an array");
        }
        List<LeaseInfo> leases = new ArrayList<>();
        for (JsonNode element : array) {
            if (!element.isObject()) {
                throw Json.garbage(what, "field 'leases' holds a value that is not an object");
            }
            leases.add(lease((ObjectNode) element, tier, what));
        }
        return List.copyOf(leases);
    }

    private static LeaseInfo lease(ObjectNode lease, Tier tier, String what) throws BrokerUnavailableException {
        String state = Json.text(lease, "state", what);
        LeaseInfo info = new LeaseInfo(
                Json.text(lease, "lease_id", what),
                Json.text(lease, "role", what),
                Json.value(lease, "tier", what, Tier::new),
                Json.text(lease, "connection", what),
                Json.nullableText(lease, "username", what),
                LeaseState.fromWire(state).orElseThrow(() -> Json.garbage(what,
                        "field 'state' is not a known lease state: " + BrokerHttp.readable(state))),
                Json.instant(lease, "created_at", what),
                Json.instant(lease, "expires_at", what),
                Json.nullableInstant(lease, "revoked_at", what),
                Json.nullableText(lease, "last_error", what));
        if (!info.tier().equals(tier)) {
            throw Json.garbage(what, "lease " + BrokerHttp.readable(info.leaseId()) + " is in tier " + info.tier()
                    + ", not " + tier);
        }
        return info;
    }

    /** A required non-empty string without control characters; the message never quotes it. */
    private static String text(ObjectNode node, String field, String what) throws BrokerUnavailableException {
        String value = Json.text(node, field, what);
        if (!DatabaseCredentials.isText(value)) {
            throw Json.garbage(what, "field '" + field + "' holds control characters");
        }
        return value;
    }
}
