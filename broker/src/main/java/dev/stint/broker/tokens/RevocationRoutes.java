package dev.stint.broker.tokens;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.http.Json;
import dev.stint.broker.store.Store;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /v1/revocations}: the revocation list. Every revoked token that has not expired yet,
 * by {@code jti} and {@code exp}, so that a resource server verifying task tokens offline can
 * refuse a revoked one before it expires. Public like the JWKS: it names random ids, nothing
 * else. A token leaves the list once its {@code exp} has passed, when it is dead anyway.
 */
public final class RevocationRoutes {

    static final int MAX_ENTRIES = 1_000_000;

    private final Store store;
    private final Clock clock;

    public RevocationRoutes(Store store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void mount(Router router) {
        router.get("/v1/revocations").handler(this::list);
    }

    private void list(RoutingContext ctx) {
        Instant now = clock.instant();
        // Read and rendered on a worker thread: the list can be long, and the event loop stays free.
        store.read(tx -> {
            List<IssuedToken> revoked = new TokenRows(tx).revokedUnexpired(now, MAX_ENTRIES + 1);
            if (revoked.size() > MAX_ENTRIES) {
                // Never a silently shortened list: a verifier would accept what it leaves out.
                throw new UnavailableException("the revocation list has more than " + MAX_ENTRIES
                        + " entries; verify with introspection");
            }
            List<Map<String, Object>> entries = revoked.stream().map(token -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("jti", token.jti());
                entry.put("exp", token.expiresAt().getEpochSecond());
                return entry;
            }).toList();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("as_of", now.getEpochSecond());
            body.put("complete", true);
            body.put("revoked", entries);
            return Json.write(body);
        })
                .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(body))
                .onFailure(ctx::fail);
    }
}
