package dev.stint.broker.keys;

import dev.stint.broker.http.Gate;
import dev.stint.broker.http.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /v1/keys/rotate}: the admin's command to rotate the signing key. The answer names
 * the key that signs now, the next key (published, not yet signing), the retired key and when it
 * leaves the JWKS, and the earliest time the following rotation is accepted.
 */
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
                .onSuccess(rotation -> ctx.response().putHeader("Content-Type", "application/json")
                        .end(Json.write(body(rotation))))
                .onFailure(ctx::fail);
    }

    private Map<String, Object> body(BrokerKeys.Rotation rotation) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active_kid", rotation.activeKid());
        body.put("next_kid", rotation.nextKid());
        body.put("retired_kid", rotation.retiredKid());
        body.put("retired_verifiable_until", rotation.retiredVerifiableUntil().toString());
        body.put("next_rotation_from", rotation.nextRotationFrom().toString());
        body.put("verification_kids", keys.keySet().publicJwks().getKeys().stream().map(k -> k.getKeyID()).toList());
        return body;
    }
}
