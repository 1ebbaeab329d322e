package dev.stint.broker.notify;

import dev.stint.broker.deployment.NotifySettings;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The webhooks in {@code /health}, one entry each: its id, host (never the path or query, which
 * may hold its credential), format, {@code ok} or {@code failing} (a notice is owed and its last
 * post failed), how many notices are owed and failing, the last failure's reason and when one was
 * last delivered. Read from the store, so every broker sharing it shows the same.
 */
public final class WebhookHealth {

    private final Store store;
    private final List<NotifySettings.Webhook> webhooks;

    public WebhookHealth(Store store, NotifySettings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.webhooks = settings.webhooks();
    }

    /** Whether any webhook is configured; without one, {@code /health} shows no entry. */
    public boolean configured() {
        return !webhooks.isEmpty();
    }

    public Future<List<Map<String, Object>>> report() {
        return store.read(tx -> {
            DeliveryRows rows = new DeliveryRows(tx);
            List<Map<String, Object>> out = new ArrayList<>();
            for (NotifySettings.Webhook webhook : webhooks) {
                DeliveryRows.Tally tally = rows.tally(webhook.id());
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("id", webhook.id());
                one.put("host", webhook.host());
                one.put("format", webhook.format().wireName());
                one.put("status", tally.failing() > 0 ? "failing" : "ok");
                one.put("pending", tally.pending());
                one.put("failing", tally.failing());
                tally.lastError().ifPresent(error -> one.put("last_error", error));
                tally.lastSuccessAt().ifPresent(at -> one.put("last_success_at", at.toString()));
                out.add(one);
            }
            return out;
        });
    }
}
