package dev.stint.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP exchange with the broker, bounded in time and size, and the sorting of its answer
 * into a JSON object (2xx), a rejection (4xx with a problem document) or unavailability
 * (everything else). Thread safe.
 */
final class BrokerHttp {

    /** Broker answers are small; a bigger body is garbage, not something to buffer. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    /** Longest broker text copied into an exception message. */
    private static final int MAX_DETAIL_CHARS = 300;

    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;

    BrokerHttp(HttpClient client, Duration timeout, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    record Answer(int status, HttpHeaders headers, byte[] body) {
    }

    /** Sends the request; the whole exchange, body included, must finish within the timeout. */
    Answer exchange(HttpRequest.Builder request, String what) throws BrokerUnavailableException {
        return exchange(request, what, Duration.ZERO);
    }

    /**
     * Sends a request the broker may hold for up to {@code held} before it answers (a long poll);
     * the exchange must finish within that plus the timeout.
     */
    Answer exchange(HttpRequest.Builder request, String what, Duration held) throws BrokerUnavailableException {
        Duration timeout = this.timeout.plus(held);
        HttpRequest built = request.timeout(timeout).header("Accept", "application/json").build();
        AtomicBoolean tooLarge = new AtomicBoolean();
        CompletableFuture<HttpResponse<byte[]>> pending =
                client.sendAsync(built, info -> new LimitedBody(MAX_BODY_BYTES, tooLarge));
        try {
            HttpResponse<byte[]> response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw timedOut(what, timeout, e);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException(what + " failed: interrupted while waiting for the broker",
                    0, null, e);
        } catch (ExecutionException e) {
            // Checked first: after we cancel an oversized body the client may report its own error.
            if (tooLarge.get()) {
                throw Json.garbage(what, "the body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw timedOut(what, timeout, cause);
            }
            // The URI names no secret (task ids at most) and tells the operator where we went.
            throw new BrokerUnavailableException(what + " failed: no usable answer from " + built.uri() + ": "
                    + cause.getClass().getSimpleName() + describe(cause.getMessage()), 0, null, cause);
        }
    }

    /**
     * The JSON object of a 2xx answer.
     *
     * @throws BrokerRejectedException for a 4xx answer that carries a problem document
     * @throws BrokerUnavailableException for 5xx, 429, other statuses, and bodies that are not
     *     the documented JSON
     */
    ObjectNode json(Answer answer, String what) throws BrokerRejectedException, BrokerUnavailableException {
        int status = answer.status();
        if (status >= 200 && status < 300) {
            return Json.parseObject(answer.body(), what);
        }
        Optional<ObjectNode> problem = Json.tryParseObject(answer.body())
                .filter(p -> Json.optionalText(p, "type") != null || Json.optionalText(p, "error") != null);
        if (status >= 400 && status < 500 && status != 429) {
            if (problem.isEmpty()) {
                // A 4xx without a problem document is not the broker speaking (a proxy, a wrong
                // base URI): reporting "task not found" would wrongly kill the session.
                throw new BrokerUnavailableException(what + " failed: the broker answered HTTP " + status
                        + " without a problem document; is the base URI a Stint broker?", status, null, null);
            }
            ObjectNode p = problem.get();
            String type = Optional.ofNullable(Json.optionalText(p, "type")).orElse("about:blank");
            throw new BrokerRejectedException(what, status, type, readable(detailOf(p, status)));
        }
        String reason = problem.map(p -> ": " + readable(detailOf(p, status))).orElse("");
        throw new BrokerUnavailableException(what + " failed: the broker is unavailable (HTTP " + status + ")"
                + reason, status, retryAfter(answer.headers()).orElse(null), null);
    }

    private static String detailOf(ObjectNode problem, int status) {
        for (String field : List.of("detail", "error_description", "title", "error")) {
            String text = Json.optionalText(problem, field);
            if (text != null && !text.isBlank()) {
                return text;
            }
        }
        return "HTTP " + status;
    }

    private Optional<Duration> retryAfter(HttpHeaders headers) {
        Optional<String> value = headers.firstValue("Retry-After").map(String::trim);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get();
        if (text.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static BrokerUnavailableException timedOut(String what, Duration timeout, Throwable cause) {
        return new BrokerUnavailableException(what + " failed: the broker did not answer within " + timeout,
                0, null, cause);
    }

    private static String describe(String message) {
        return message == null || message.isBlank() ? "" : " (" + readable(message) + ")";
    }

    /** Text from the network made safe for one log line: no control characters, bounded length. */
    static String readable(String text) {
        String flat = text.replaceAll("\\p{Cntrl}", " ").strip();
        return flat.length() <= MAX_DETAIL_CHARS ? flat : flat.substring(0, MAX_DETAIL_CHARS) + "...";
    }

    /** Collects a body of at most {@code limit} bytes; a longer one fails the exchange. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int limit;
        private final AtomicBoolean tooLarge;
        private Flow.Subscription subscription;

        LimitedBody(int limit, AtomicBoolean tooLarge) {
            this.limit = limit;
            this.tooLarge = tooLarge;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (out.size() + item.remaining() > limit) {
                    tooLarge.set(true);
                    result.completeExceptionally(new IOException("response body larger than " + limit + " bytes"));
                    subscription.cancel();
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
