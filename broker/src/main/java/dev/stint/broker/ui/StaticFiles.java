package dev.stint.broker.ui;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/** One file of the pages (their script, their style), read from the classpath once. */
final class StaticFiles {

    private final Buffer body;
    private final String contentType;

    private StaticFiles(Buffer body, String contentType) {
        this.body = body;
        this.contentType = contentType;
    }

    static StaticFiles load(String name, String contentType) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(name)) {
            Objects.requireNonNull(in, "missing resource " + name);
            return new StaticFiles(Buffer.buffer(in.readAllBytes()), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    void serve(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", contentType).end(body);
    }
}
