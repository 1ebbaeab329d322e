package dev.stint.broker.auth;

import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.http.OAuthRejectedException;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Store;
import dev.stint.broker.store.Tx;
import io.vertx.core.Future;
import java.util.Objects;

/**
 * Client authentication by {@code private_key_jwt} at the OAuth endpoints: verifies the
 * request's client assertion, then, in one store unit, re-reads the agent (it must still be
 * active), spends the assertion's jti (a replay is refused) and does what the assertion
 * authorises. A suspension committed after the verifier read the agent therefore still stops
 * the issuance, and two requests with one assertion never both succeed.
 *
 * <p>Failures are anonymous, because the caller is not authenticated: each is counted in the
 * audit log's tally of unauthenticated failures ({@link AuditLog#countUnauthenticated}) as
 * action {@code agent.authenticate}: a rejection as a deny, a failure to do the work (the
 * signature check could not run, the store is unavailable) as an error. Thread safe.
 */
public final class ClientAuthentication {

    static final String ACTION = "agent.authenticate";

    /** What a verified client assertion authorises, done in the unit that spends its jti. */
    @FunctionalInterface
    public interface Work<T> {
        /** @param agent the agent as read inside this unit: active */
        T run(Tx tx, Agent agent) throws RejectedException, UnavailableException;
    }

    private final Store store;
    private final ClientAssertionVerifier verifier;
    private final AuditLog audit;

    public ClientAuthentication(Store store, ClientAssertionVerifier verifier, AuditLog audit) {
        this.store = Objects.requireNonNull(store, "store");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /**
     * Verifies the client assertion, then {@link #spend spends} it doing {@code work}.
     *
     * @param clientId the request's {@code client_id}; {@code null} when it sent none
     * @return what {@code work} returned; or a future failed with a {@link RejectedException}
     *     (the assertion, or {@code work}, refused the request) or an
     *     {@link UnavailableException} (the store or the signature check could not run)
     */
    public <T> Future<T> authenticate(String assertionType, String assertion, String clientId, Work<T> work) {
        return verifier.verify(assertionType, assertion, clientId)
                .recover(failure -> counted(failure, null))
                .compose(verified -> spend(verified, work));
    }

    /**
     * In one store unit: re-reads the agent of {@code verified} and refuses unless it is still
     * active, records the assertion's jti (refusing a replay), then runs {@code work}. A refusal
     * rolls the unit back, so nothing of {@code work} is kept.
     */
    public <T> Future<T> spend(ClientAssertionVerifier.Verified verified, Work<T> work) {
        return store.write(tx -> {
            Agent agent = new AgentRows(tx).find(verified.agent().id()).orElseThrow(() -> rejected(
                    "client assertion rejected: agent " + verified.agent().id() + " is not registered", verified));
            if (!agent.isActive()) {
                throw rejected("client assertion rejected: agent " + agent.id() + " is " + agent.status().wireName(),
                        verified);
            }
            if (!new AssertionRows(tx).spend(agent.id(), verified.jti(), verified.expiresAt())) {
                throw rejected("client assertion rejected: it was already used (jti replayed) for agent " + agent.id(),
                        verified);
            }
            return work.run(tx, agent);
        }).recover(failure -> counted(failure, verified.agent().id().value()));
    }

    private static OAuthRejectedException rejected(String reason, ClientAssertionVerifier.Verified verified) {
        return OAuthRejectedException.invalidClient(reason).claimedBy(verified.agent().id().value());
    }

    /**
     * Counts a rejection as a deny and a failure to do the work (503) as an error, then fails
     * with it; anything else (a bug) passes as it is.
     *
     * @param agentId the agent the request is known to claim; {@code null} when not known
     */
    private <T> Future<T> counted(Throwable failure, String agentId) {
        if (failure instanceof RejectedException rejected) {
            String claimed = rejected instanceof OAuthRejectedException o && o.agentId() != null ? o.agentId() : agentId;
            return audit.countUnauthenticated(new AuditEvent("anonymous", ACTION, AuditEvent.Decision.DENY, claimed,
                    null, null, "", rejected.reason()), rejected);
        }
        if (failure instanceof UnavailableException unavailable) {
            return audit.countUnauthenticated(new AuditEvent("anonymous", ACTION, AuditEvent.Decision.ERROR, agentId,
                    null, null, "", unavailable.reason()), unavailable);
        }
        return Future.failedFuture(failure);
    }
}
