package dev.stint.broker.notify;

import dev.stint.broker.deployment.NotifySettings;
import dev.stint.broker.http.BoundedAnswer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * Posts one notice to one webhook, without blocking: Vert.x's HTTP client, no redirects followed,
 * the whole exchange (connecting included) cut off after the timeout, and at most
 * {@value #MAX_ANSWER_BYTES} bytes of the answer read (and ignored: only its status counts).
 * Failures are told in our own words, never with a message that may repeat the url.
 */
final class WebhookPoster {

    static final int MAX_ANSWER_BYTES = 64 * 1024;
    static final String DELIVERY_HEADER = "X-Stint-Delivery";
    static final String EVENT_HEADER = "X-Stint-Event";

    private final Vertx vertx;
    private final HttpClient http;
    private final long timeoutMillis;

    WebhookPoster(Vertx vertx, Duration timeout) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.timeoutMillis = timeout.toMillis();
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeoutMillis)
                .setMaxRedirects(0)
                .setKeepAlive(true)
                .setVerifyHost(true));
    }

    /**
     * Posts {@code body}, signed when the webhook has a secret.
     *
     * @return empty when the webhook answered 2xx; otherwise why the notice is not delivered.
     *     Never failed.
     */
    Future<Optional<String>> post(NotifySettings.Webhook webhook, String deliveryId, String event, byte[] body,
            Instant now) {
        long timestamp = now.getEpochSecond();
        RequestOptions options;
        try {
            options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(webhook.url())
                    .setFollowRedirects(false).setIdleTimeout(timeoutMillis)
                    .addHeader("Content-Type", "application/json")
                    .addHeader("User-Agent", "Stint-Webhook")
                    .addHeader(DELIVERY_HEADER, deliveryId)
                    .addHeader(EVENT_HEADER, event)
                    .addHeader(Signature.TIMESTAMP_HEADER, Long.toString(timestamp));
        } catch (RuntimeException e) {
            return Future.succeededFuture(Optional.of("the url is not usable"));
        }
        webhook.secret().ifPresent(secret -> options.addHeader(Signature.HEADER,
                Signature.of(secret, timestamp, body)));
        Promise<Optional<String>> outcome = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long timer = vertx.setTimer(timeoutMillis, id -> {
            if (outcome.tryComplete(Optional.of("no answer within " + seconds()))) {
                HttpClientRequest request = sent.get();
                if (request != null) {
                    request.reset();
                }
            }
        });
        http.request(options)
                .compose(request -> {
                    sent.set(request);
                    return request.send(Buffer.buffer(body));
                })
                .compose(response -> {
                    int status = response.statusCode();
                    // Read (bounded) so the connection can be reused; what it says does not matter.
                    return BoundedAnswer.read(response, MAX_ANSWER_BYTES, "the answer")
                            .transform(read -> Future.succeededFuture(status));
                })
                .onComplete(result -> {
                    vertx.cancelTimer(timer);
                    outcome.tryComplete(result.succeeded() ? verdict(result.result()) : Optional.of(reason(
                            result.cause())));
                });
        return outcome.future();
    }

    void close() {
        http.close();
    }

    private static Optional<String> verdict(int status) {
        if (status >= 200 && status < 300) {
            return Optional.empty();
        }
        return Optional.of("HTTP " + status + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""));
    }

    private String reason(Throwable failure) {
        if (failure instanceof ConnectException) {
            return "could not connect";
        }
        if (failure instanceof UnknownHostException) {
            return "the host name does not resolve";
        }
        if (failure instanceof TimeoutException) {
            return "no answer within " + seconds();
        }
        if (failure instanceof SSLException) {
            return "the TLS handshake failed";
        }
        if (failure instanceof io.vertx.core.http.HttpClosedException) {
            return "the connection closed before an answer";
        }
        // Not one we know: its type only, for messages may carry the url.
        return "the post failed (" + failure.getClass().getSimpleName() + ")";
    }

    private String seconds() {
        return timeoutMillis % 1000 == 0 ? timeoutMillis / 1000 + " s" : timeoutMillis + " ms";
    }
}
