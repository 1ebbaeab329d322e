package dev.stint.broker.http;

import io.vertx.core.Future;

/** Turns a check that may reject the request into a future, so handlers stay one composed chain. */
public final class Attempt {

    /** A computation that either yields a value or rejects the request. */
    @FunctionalInterface
    public interface Check<T> {
        T get() throws RejectedException;
    }

    /** A computation that yields a value, rejects the request, or finds a dependency broken. */
    @FunctionalInterface
    public interface Step<T> {
        T get() throws RejectedException, UnavailableException;
    }

    private Attempt() {
    }

    public static <T> Future<T> of(Check<T> check) {
        try {
            return Future.succeededFuture(check.get());
        } catch (RejectedException e) {
            return Future.failedFuture(e);
        }
    }

    public static <T> Future<T> step(Step<T> step) {
        try {
            return Future.succeededFuture(step.get());
        } catch (RejectedException | UnavailableException e) {
            return Future.failedFuture(e);
        }
    }
}
