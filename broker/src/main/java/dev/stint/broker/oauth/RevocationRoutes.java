package dev.stint.broker.oauth;

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

    static final int MAX_ENTRIES = 100_000;

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
        store.read(tx -> tx.revokedUnexpired(now, MAX_ENTRIES))
                .onSuccess(revoked -> {
                    List<Map<String, Object>> entries = revoked.stream().map(token -> {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("jti", token.jti());
                        entry.put("exp", token.expiresAt().getEpochSecond());
                        return entry;
                    }).toList();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("as_of", now.getEpochSecond());
                    body.put("revoked", entries);
                    ctx.response().putHeader("Content-Type", "application/json").end(Json.write(body));
                })
                .onFailure(ctx::fail);
    }
}
