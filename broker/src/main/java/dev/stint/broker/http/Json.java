package dev.stint.broker.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * Strict JSON for request bodies: unknown fields, duplicate keys, trailing data, wrong types and
 * nulls for required values are rejected with a message naming the field. Responses are written
 * with the same mapper.
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    static {
        // A number or boolean where text is expected is a wrong type, not a string.
        MAPPER.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(16_384).maxNumberLength(32).build());
    }

    private Json() {
    }

    /**
     * Reads the body as {@code type}.
     *
     * @throws RejectedException 415 when the body is not declared JSON, 400 when it is malformed
     */
    public static <T> T body(RoutingContext ctx, Class<T> type) throws RejectedException {
        if (!MediaTypes.is(ctx.request().getHeader("Content-Type"), MediaTypes.JSON)) {
            throw new RejectedException(415, ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "send the request body as application/json");
        }
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw RejectedException.badRequest("the request body is empty; send a JSON object");
        }
        return parse(body.getBytes(), type);
    }

    /** Like {@link #body} but an absent body reads as {@code empty}. */
    public static <T> T optionalBody(RoutingContext ctx, Class<T> type, T empty) throws RejectedException {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            return empty;
        }
        return body(ctx, type);
    }

    static <T> T parse(byte[] bytes, Class<T> type) throws RejectedException {
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw RejectedException.badRequest("the request body must be a JSON object");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw RejectedException.badRequest("unknown field '" + printable(e.getPropertyName()) + "'; allowed: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        } catch (MismatchedInputException e) {
            String field = path(e);
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
                throw RejectedException.badRequest("the request body has data after the JSON object");
            }
            throw RejectedException.badRequest(field.isEmpty()
                    ? "the request body must be a JSON object"
                    : "field '" + field + "' has the wrong type");
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the client's input: say where, not what.
            String what = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                    ? "it repeats a field" : "it is malformed";
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw RejectedException.badRequest("the request body is not valid JSON: " + what + where);
        } catch (IOException e) {
            throw RejectedException.badRequest("the request body could not be read");
        }
    }

    public static Buffer write(Object value) {
        try {
            return Buffer.buffer(MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a response", e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? printable(ref.getFieldName()) : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** Echoes a client-sent name only when it is short and plain. */
    static String printable(String name) {
        return name != null && name.length() <= 64 && name.matches("[A-Za-z0-9_.-]+") ? name : "(unprintable)";
    }
}
