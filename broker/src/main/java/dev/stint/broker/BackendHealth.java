package dev.stint.broker;

import dev.stint.broker.credentials.ConnectionStatus;
import dev.stint.broker.credentials.LeaseRows;
import dev.stint.broker.deployment.ConnectionCatalog;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The backend connections in {@code /health}: per connection whether its last call reached it,
 * and the revocations it owes (revoking, failing, and since when the oldest is owed). A failing
 * revocation makes the broker "degraded": it is retried forever, and must be seen.
 */
final class BackendHealth {

    /** What {@code /health} shows of the backends, and whether any needs attention. */
    record Report(Map<String, Object> connections, boolean degraded) {
    }

    private final ConnectionCatalog catalog;
    private final ConnectionStatus status;
    private final Clock clock;

    BackendHealth(ConnectionCatalog catalog, ConnectionStatus status, Clock clock) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.status = Objects.requireNonNull(status, "status");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    Future<Report> report(Store store) {
        return store.read(tx -> new LeaseRows(tx).owed()).map(this::report);
    }

    private Report report(List<LeaseRows.Owed> owed) {
        Map<String, ConnectionStatus.Seen> seen = status.snapshot();
        Map<String, Object> connections = new LinkedHashMap<>();
        boolean degraded = false;
        for (String name : catalog.connections().keySet()) {
            Map<String, Object> one = new LinkedHashMap<>();
            ConnectionStatus.Seen last = seen.get(name);
            one.put("tier", catalog.connections().get(name).tier().name());
            one.put("reachable", last == null ? "unknown" : last.reachable());
            if (last != null && last.reason() != null) {
                one.put("last_error", last.reason());
            }
            one.put("revocations_pending", 0);
            one.put("revocations_failing", 0);
            connections.put(name, one);
            degraded |= last != null && !last.reachable();
        }
        for (LeaseRows.Owed o : owed) {
            @SuppressWarnings("unchecked")
            Map<String, Object> one = (Map<String, Object>) connections.computeIfAbsent(o.connection(),
                    n -> new LinkedHashMap<>(Map.of("configured", false)));
            one.put("revocations_pending", o.revoking());
            one.put("revocations_failing", o.failed());
            one.put("oldest_owed_since", o.oldestSince().toString());
            one.put("oldest_owed_age_seconds", Math.max(0, Duration.between(o.oldestSince(), clock.instant()).toSeconds()));
            degraded |= o.failed() > 0;
        }
        return new Report(connections, degraded);
    }
}
