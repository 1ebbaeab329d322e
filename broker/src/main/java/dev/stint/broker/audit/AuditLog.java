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
 */
public final class AuditLog {

    private final Store store;
    private final Clock clock;

    public AuditLog(Store store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Future<AuditRecord> record(AuditEvent event) {
        return store.write(tx -> new AuditRows(tx).append(event, clock.instant()));
    }

    /** Records {@code event}, then fails with {@code rejection}. */
    public <T> Future<T> reject(AuditEvent event, RejectedException rejection) {
        return record(event).compose(recorded -> Future.failedFuture(rejection));
    }
}
