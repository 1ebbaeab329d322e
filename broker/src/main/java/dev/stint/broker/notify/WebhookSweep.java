package dev.stint.broker.notify;

import dev.stint.broker.approvals.Approval;
import dev.stint.broker.approvals.ApprovalRows;
import dev.stint.broker.deployment.NotifySettings;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the configured webhooks about approvals: when one is requested, and again when it is
 * approved, denied or expires. A step of the broker's sweeps, so the broker that leads them posts.
 * Each round (1) records, in a unit, the notices owed (an approval whose current status has no
 * notice for a webhook yet), (2) claims the due ones in a unit, (3) posts them outside any unit,
 * and (4) records each outcome in a unit: delivered on a 2xx answer, otherwise tried again after
 * a jittered, growing wait, forever, and logged as a warning from the
 * {@value #LOUD_AFTER}th failed attempt on. Notices survive restarts and are posted at least
 * once; a webhook never approves or denies anything.
 *
 * <p>Only approvals whose status changed within {@link #RECENT} are notified: a broker starting
 * on a store full of history, or after a long outage, does not flood its webhooks with old news.
 */
public final class WebhookSweep {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSweep.class);
    /** How old a status change may be and still be notified. */
    public static final Duration RECENT = Duration.ofHours(1);
    /** How long one post may take, connecting included. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** From this many failed attempts on, each further failure is a warning. */
    /** How long a delivered notice is kept (the receivers' de-duplication needs it no longer). */
    public static final Duration KEEP_DELIVERED = Duration.ofDays(7);
    /** How often the delivered notices past {@link #KEEP_DELIVERED} are dropped. */
    static final Duration PRUNE_EVERY = Duration.ofHours(1);
    static final int LOUD_AFTER = 5;
    static final int CREATE_BATCH = 100;
    static final int POST_BATCH = 20;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Only one round runs at a time ({@code running}), so this needs no more guarding. */
    private volatile Instant nextPrune = Instant.MIN;

    private final Store store;
    private final Map<String, NotifySettings.Webhook> webhooks = new LinkedHashMap<>();
    private final String pagesOrigin;
    private final WebhookBackoff backoff;
    private final Duration claim;
    private final WebhookPoster poster;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();

    /** @param pagesOrigin where people's pages live ({@code scheme://host[:port]}), for the link to the approval */
    public WebhookSweep(Vertx vertx, Store store, NotifySettings settings, String pagesOrigin, Clock clock) {
        this(vertx, store, settings, pagesOrigin, WebhookBackoff.standard(), TIMEOUT, clock);
    }

    /** @param timeout how long one post may take; a claim outlasts it by a minute */
    public WebhookSweep(Vertx vertx, Store store, NotifySettings settings, String pagesOrigin, WebhookBackoff backoff,
            Duration timeout, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        for (NotifySettings.Webhook webhook : settings.webhooks()) {
            webhooks.put(webhook.id(), webhook);
        }
        this.pagesOrigin = Objects.requireNonNull(pagesOrigin, "pagesOrigin");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.claim = timeout.plus(Duration.ofMinutes(1));
        this.poster = new WebhookPoster(vertx, timeout);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * One round. A round still posting when the next is due makes the next do nothing.
     *
     * @return how many notices were delivered in this round
     */
    public Future<Integer> sweep() {
        if (webhooks.isEmpty() || !running.compareAndSet(false, true)) {
            return Future.succeededFuture(0);
        }
        Instant now = clock.instant();
        boolean prune = !now.isBefore(nextPrune);
        return store.write(tx -> {
            DeliveryRows rows = new DeliveryRows(tx);
            if (prune) {
                rows.pruneDelivered(now.minus(KEEP_DELIVERED));
                nextPrune = now.plus(PRUNE_EVERY);
            }
            for (String webhookId : webhooks.keySet()) {
                for (DeliveryRows.Unnotified owed : rows.unnotified(webhookId, now.minus(RECENT), CREATE_BATCH)) {
                    rows.create(newDeliveryId(), owed, webhookId, now);
                }
            }
            return rows.claimDue(webhooks.keySet(), now, now.plus(claim), POST_BATCH);
        }).compose(this::postAll).eventually(() -> {
            running.set(false);
            return Future.succeededFuture();
        });
    }

    /** Releases the HTTP client. */
    public void close() {
        poster.close();
    }

    private Future<Integer> postAll(List<Delivery> claimed) {
        if (claimed.isEmpty()) {
            return Future.succeededFuture(0);
        }
        List<Future<Boolean>> each = new ArrayList<>(claimed.size());
        for (Delivery delivery : claimed) {
            each.add(post(delivery));
        }
        return Future.join(each).transform(done -> Future.succeededFuture(
                (int) each.stream().filter(f -> f.succeeded() && f.result()).count()));
    }

    /** @return whether the notice was delivered (and recorded so) */
    private Future<Boolean> post(Delivery delivery) {
        NotifySettings.Webhook webhook = webhooks.get(delivery.webhookId());
        return store.read(tx -> {
            Optional<Approval> approval = new ApprovalRows(tx).find(delivery.approvalId());
            if (approval.isEmpty()) {
                return Optional.<ApprovalNotice>empty();
            }
            return Optional.of(new ApprovalNotice(approval.get(), delivery.status(),
                    new DeliveryRows(tx).votes(delivery.approvalId()),
                    ApprovalNotice.link(pagesOrigin, delivery.approvalId())));
        }).compose(notice -> notice.isEmpty()
                ? Future.succeededFuture(Optional.of("the approval is not in the store"))
                : poster.post(webhook, delivery.deliveryId(), notice.get().event(),
                        notice.get().body(webhook.format()), clock.instant()))
                .compose(failure -> record(webhook, delivery, failure));
    }

    private Future<Boolean> record(NotifySettings.Webhook webhook, Delivery delivery, Optional<String> failure) {
        Instant at = clock.instant();
        if (failure.isEmpty()) {
            if (delivery.attempts() > 0) {
                LOG.info("webhook {} ({}): notice {} about approval {} delivered after {} failed attempt(s)",
                        webhook.id(), webhook.host(), delivery.deliveryId(), delivery.approvalId(),
                        delivery.attempts());
            }
            return store.write(tx -> {
                new DeliveryRows(tx).delivered(delivery.deliveryId(), at);
                return true;
            });
        }
        int attempts = delivery.attempts() + 1;
        Instant next = at.plus(backoff.after(attempts));
        String reason = failure.get();
        if (attempts >= LOUD_AFTER) {
            LOG.warn("webhook {} ({}): notice {} about approval {} still not delivered after {} attempts; trying"
                    + " again at {}: {}", webhook.id(), webhook.host(), delivery.deliveryId(), delivery.approvalId(),
                    attempts, next, reason);
        } else {
            LOG.debug("webhook {} ({}): notice {} about approval {} not delivered (attempt {}); trying again at {}:"
                    + " {}", webhook.id(), webhook.host(), delivery.deliveryId(), delivery.approvalId(), attempts,
                    next, reason);
        }
        return store.write(tx -> {
            new DeliveryRows(tx).failed(delivery.deliveryId(), reason, at, next);
            return false;
        });
    }

    private static String newDeliveryId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "whd_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
