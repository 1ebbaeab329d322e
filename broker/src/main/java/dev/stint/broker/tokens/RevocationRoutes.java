package dev.stint.broker.tokens;

import dev.stint.broker.http.Json;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /v1/revocations}: the revocation list. Every revoked token that has not expired yet,
 * by {@code jti} and {@code exp}, so that a resource server verifying task tokens offline can
 * refuse a revoked one before it expires. Public like the JWKS: it names random ids, nothing
 * else. A token leaves the list once its {@code exp} has passed, when it is dead anyway.
 *
 * <p>Polled by every verifier, so it is built at most once per {@link #FRESH_FOR} (on the
 * broker's clock) however many ask, by one read at a time, and served with a strong
 * {@code ETag}: a verifier whose copy is current gets {@code 304} and no body. A revocation
 * therefore shows here within {@link #FRESH_FOR} of its commit; a failed build is never cached.
 */
public final class RevocationRoutes {

    static final int MAX_ENTRIES = 1_000_000;
    static final Duration FRESH_FOR = Duration.ofSeconds(1);

    /** One rendering of the list, as of {@code asOf}. */
    private record Rendered(Instant asOf, Buffer body, String etag) {
    }

    private final Store store;
    private final Clock clock;
    private final AtomicReference<Future<Rendered>> latest = new AtomicReference<>();

    public RevocationRoutes(Store store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void mount(Router router) {
        router.get("/v1/revocations").handler(this::list);
    }

    private void list(RoutingContext ctx) {
        rendered().onSuccess(list -> {
            ctx.response()
                    .putHeader("ETag", list.etag())
                    .putHeader("Cache-Control", "public, max-age=" + FRESH_FOR.toSeconds());
            String ifNoneMatch = ctx.request().getHeader("If-None-Match");
            if (ifNoneMatch != null && matches(ifNoneMatch, list.etag())) {
                ctx.response().setStatusCode(304).end();
            } else {
                ctx.response().putHeader("Content-Type", "application/json").end(list.body());
            }
        }).onFailure(ctx::fail);
    }

    /** The current rendering: the cached one while fresh (or still being built), else a new one. */
    private Future<Rendered> rendered() {
        Instant now = clock.instant();
        while (true) {
            Future<Rendered> current = latest.get();
            if (current != null && (!current.isComplete()
                    || current.succeeded() && now.isBefore(current.result().asOf().plus(FRESH_FOR)))) {
                return current;
            }
            Future<Rendered> next = build(now);
            if (latest.compareAndSet(current, next)) {
                // A failure is not kept: the next request tries again rather than reuse it.
                next.onFailure(e -> latest.compareAndSet(next, null));
                return next;
            }
        }
    }

    private Future<Rendered> build(Instant now) {
        // Read and rendered on a worker thread: the list can be long, and the event loop stays free.
        return store.read(tx -> {
            List<IssuedToken> revoked = new TokenRows(tx).revokedUnexpired(now, MAX_ENTRIES + 1);
            if (revoked.size() > MAX_ENTRIES) {
                // Never a silently shortened list: a verifier would accept what it leaves out.
                throw new UnavailableException("the revocation list has more than " + MAX_ENTRIES
                        + " entries; verify with introspection");
            }
            List<Map<String, Object>> entries = revoked.stream().map(token -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("jti", token.jti());
                entry.put("exp", token.expiresAt().getEpochSecond());
                return entry;
            }).toList();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("as_of", now.getEpochSecond());
            body.put("complete", true);
            body.put("revoked", entries);
            Buffer json = Json.write(body);
            return new Rendered(now, json, etag(entries.toString()));
        });
    }

    /**
     * A weak validator over the entries alone: an unchanged list keeps its tag as time passes,
     * though its {@code as_of} moves, so the tag is weak (RFC 9110, section 8.8.1).
     */
    private static String etag(String entries) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(entries.getBytes(StandardCharsets.UTF_8));
            return "W/\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** RFC 9110 If-None-Match: a list of tags, or {@code *}, compared weakly as GET allows. */
    private static boolean matches(String header, String etag) {
        String opaque = etag.substring(2);
        for (String candidate : header.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(opaque) || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
