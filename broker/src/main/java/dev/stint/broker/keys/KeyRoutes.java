package dev.stint.broker.keys;

import dev.stint.broker.http.Gate;
import dev.stint.broker.http.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Objects;

/** {@code POST /v1/keys/rotate}: the admin's command to rotate the signing key. */
public final class KeyRoutes {

    private final BrokerKeys keys;
    private final Gate admin;

    public KeyRoutes(BrokerKeys keys, Gate admin) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    public void mount(Router router) {
        router.post("/v1/keys/rotate").handler(this::rotate);
    }

    private void rotate(RoutingContext ctx) {
        admin.admit(ctx)
                .compose(keys::rotate)
                .onSuccess(kid -> ctx.response().putHeader("Content-Type", "application/json")
                        .end(Json.write(Map.of("active_kid", kid,
                                "verification_kids", keys.keySet().publicJwks().getKeys().stream()
                                        .map(k -> k.getKeyID()).toList()))))
                .onFailure(ctx::fail);
    }
}
