package dev.stint.broker.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * The body of an answer from a server the broker calls (an OIDC issuer or provider), read whole
 * but never past a limit: refused before reading when it declares a larger or garbled length, and
 * cut off (the request reset) the moment it grows past the limit, so a hostile or broken server
 * cannot make the broker buffer without end.
 */
public final class BoundedAnswer {

    private BoundedAnswer() {
    }

    /**
     * Call it as soon as the response arrives (on its event loop), before any chunk is read.
     *
     * @param what how the failure names the answer: {@code WHAT is larger than MAX bytes}
     */
    public static Future<Buffer> read(HttpClientResponse response, int max, String what) {
        String length = response.getHeader("Content-Length");
        if (length != null && (!length.trim().matches("\\d{1,9}") || Long.parseLong(length.trim()) > max)) {
            response.request().reset();
            return Future.failedFuture(tooLarge(what, max));
        }
        Promise<Buffer> body = Promise.promise();
        Buffer collected = Buffer.buffer();
        response.handler(chunk -> {
            if (collected.length() + chunk.length() > max) {
                body.tryFail(tooLarge(what, max));
                response.request().reset();
            } else {
                collected.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(body::tryFail);
        response.endHandler(v -> body.tryComplete(collected));
        return body.future();
    }

    private static UnavailableException tooLarge(String what, int max) {
        return new UnavailableException(what + " is larger than " + max + " bytes");
    }
}
