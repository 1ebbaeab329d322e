package dev.stint.broker.audit;

import dev.stint.broker.http.RejectedException;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.Objects;

/**
 * Records decisions that are not part of a larger write: denials and failed authentications.
 * Effects that change state append their record inside their own store unit instead, so that
 * the record and the effect commit together. If recording fails, the caller's future fails with
 * the store's {@link dev.stint.broker.http.UnavailableException}: a denial that could not be
 * recorded is answered 503, never silently.
 *
 * <p>Failures of unauthenticated requests are the exception: they are counted in a
 * {@link FailureTally} and recorded as bounded summaries ({@link #countUnauthenticated}), so
 * that anyone able to send requests cannot fill the disk with one synced row each.
 */
public final class AuditLog {

    private final Store store;
    private final FailureTally unauthenticated;
    private final Clock clock;

    /** @param unauthenticated where failures of unauthenticated requests are counted */
    public AuditLog(Store store, FailureTally unauthenticated, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.unauthenticated = Objects.requireNonNull(unauthenticated, "unauthenticated");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Future<AuditRecord> record(AuditEvent event) {
        return store.write(tx -> new AuditRows(tx).append(event, clock.instant()));
    }

    /** Records {@code event}, then fails with {@code rejection}. For callers who authenticated. */
    public <T> Future<T> reject(AuditEvent event, RejectedException rejection) {
        return record(event).compose(recorded -> Future.failedFuture(rejection));
    }

    /**
     * Counts {@code event} (a deny or error of a request whose caller is not authenticated) for
     * the next summary instead of writing a record now, then fails with {@code failure}.
     */
    public <T> Future<T> countUnauthenticated(AuditEvent event, Throwable failure) {
        unauthenticated.count(event);
        return Future.failedFuture(failure);
    }
}
