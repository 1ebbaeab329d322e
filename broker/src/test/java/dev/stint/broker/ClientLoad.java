package dev.stint.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Clients that send requests to brokers as fast as they are answered, each thread one request at
 * a time, and remember every answer: who sent it, when it left and came back, its status and
 * body, or that none came (the broker died, or nothing listened). A thread whose request got no
 * answer stops: its broker is gone, and asking again at once would only burn the processor.
 */
final class ClientLoad implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One request and what came of it.
     *
     * @param client the name the requests were added under
     * @param status the HTTP status, or 0 when no answer came
     * @param retryAfter the {@code Retry-After} header, if any
     */
    record Answer(String client, long sentNanos, long answeredNanos, int status, String contentType,
            Optional<String> retryAfter, String body) {

        boolean answered() {
            return status != 0;
        }

        boolean sentAfter(long nanos) {
            return sentNanos - nanos > 0;
        }

        boolean answeredBefore(long nanos) {
            return nanos - answeredNanos > 0;
        }

        Duration took() {
            return Duration.ofNanos(answeredNanos - sentNanos);
        }

        /** The token a 200 answer carries ({@code access_token}). */
        Optional<String> token() {
            return status == 200 ? Optional.ofNullable(json().get("access_token")).map(JsonNode::asText)
                    : Optional.empty();
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        @Override
        public String toString() {
            return client + " " + (answered() ? status + " " + contentType + " after " + took().toMillis() + " ms"
                    + retryAfter.map(r -> " Retry-After " + r).orElse("") + " " + body
                    : "no answer after " + took().toMillis() + " ms: " + body);
        }
    }

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();

    /** Starts {@code count} threads that send {@code request} over and over until {@link #stop()}. */
    ClientLoad add(String client, int count, Supplier<HttpResponse<String>> request) {
        for (int i = 0; i < count; i++) {
            threads.submit(() -> {
                boolean answered = true;
                while (running.get() && answered) {
                    Answer answer = send(client, request);
                    answers.add(answer);
                    answered = answer.answered();
                }
            });
        }
        return this;
    }

    private static Answer send(String client, Supplier<HttpResponse<String>> request) {
        long sent = System.nanoTime();
        try {
            HttpResponse<String> response = request.get();
            return new Answer(client, sent, System.nanoTime(), response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Retry-After"), response.body());
        } catch (UncheckedIOException noAnswer) {
            return new Answer(client, sent, System.nanoTime(), 0, "", Optional.empty(), noAnswer.getCause().toString());
        }
    }

    /** Every answer so far that {@code which} selects, in no particular order. */
    List<Answer> answers(Predicate<Answer> which) {
        return answers.stream().filter(which).toList();
    }

    /** Polls until at least {@code atLeast} answers match {@code which}; whether they did within the deadline. */
    boolean await(Predicate<Answer> which, int atLeast, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (answers.stream().filter(which).count() < atLeast) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Stops every thread after its request in flight is answered. */
    void stop() {
        running.set(false);
        threads.shutdown();
        try {
            if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new AssertionError("client threads still waiting for answers after 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        threads.shutdownNow();
    }

    /** Selects the answers of {@code client}. */
    static Predicate<Answer> from(String client) {
        return answer -> answer.client().equals(client);
    }

    /** Selects answers that carry a token. */
    static Predicate<Answer> issued() {
        return answer -> answer.status() == 200;
    }

    /** The {@code jti} of every task token among {@code answers}. */
    static Set<String> taskTokenIds(List<Answer> answers) {
        return answers.stream().flatMap(answer -> answer.token().stream()).map(token -> {
            try {
                return SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
            } catch (ParseException e) {
                throw new AssertionError("not a task token: " + token, e);
            }
        }).collect(Collectors.toSet());
    }
}
