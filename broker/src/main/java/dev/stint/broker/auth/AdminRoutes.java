package dev.stint.broker.auth;

import dev.stint.broker.http.Gate;
import dev.stint.broker.http.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /v1/admin/rotate} (admin credential only): replaces the admin credential and
 * answers the new secret once, {@code {"admin_token": ..., "rotated_at": ...}}, never cached.
 */
public final class AdminRoutes {

    private final AdminCredential credential;
    private final Gate admin;

    public AdminRoutes(AdminCredential credential, Gate admin) {
        this.credential = Objects.requireNonNull(credential, "credential");
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    public void mount(Router router) {
        router.post("/v1/admin/rotate").handler(this::rotate);
    }

    private void rotate(RoutingContext ctx) {
        admin.admit(ctx)
                .compose(credential::rotate)
                .onSuccess(rotated -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("admin_token", rotated.token());
                    body.put("rotated_at", rotated.rotatedAt().toString());
                    ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Cache-Control", "no-store")
                            .end(Json.write(body));
                })
                .onFailure(ctx::fail);
    }
}
