package dev.stint.sdk;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Strict reading of broker answers. Every failure becomes a {@link BrokerUnavailableException}
 * ("answered garbage") naming the field at fault, never the value of a secret field.
 */
final class Json {

    /**
     * The parser never quotes the input in its messages (it could hold a token), rejects
     * duplicate keys (which one would win is ambiguous) and trailing content.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    static ObjectNode parseObject(byte[] body, String what) throws BrokerUnavailableException {
        if (body.length == 0) {
            throw garbage(what, "the body is empty");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            // No cause attached: Jackson's message quotes the offending input.
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw garbage(what, "the body is not valid JSON" + where);
        } catch (IOException e) {
            throw garbage(what, "the body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw garbage(what, "the body is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** The body as a JSON object, or empty when it is anything else. */
    static Optional<ObjectNode> tryParseObject(byte[] body) {
        try {
            return Optional.of(parseObject(body, ""));
        } catch (BrokerUnavailableException e) {
            return Optional.empty();
        }
    }

    /** A required, non-empty string field. */
    static String text(ObjectNode node, String field, String what) throws BrokerUnavailableException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw garbage(what, "field '" + field + "' is missing or not a non-empty string");
        }
        return value.asText();
    }

    /** An optional string field; null when absent or not a string. */
    static String optionalText(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    static long positiveLong(ObjectNode node, String field, String what) throws BrokerUnavailableException {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() <= 0) {
            throw garbage(what, "field '" + field + "' is missing or not a positive integer");
        }
        return value.asLong();
    }

    /** A required integer field between {@code min} and {@code max}, both included. */
    static long integer(ObjectNode node, String field, long min, long max, String what)
            throws BrokerUnavailableException {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
                || value.asLong() < min || value.asLong() > max) {
            throw garbage(what, "field '" + field + "' is missing or not an integer from " + min + " to " + max);
        }
        return value.asLong();
    }

    /** An optional non-empty string field: null when absent or JSON null, garbage when anything else. */
    static String nullableText(ObjectNode node, String field, String what) throws BrokerUnavailableException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return text(node, field, what);
    }

    /** An optional RFC 3339 instant: null when absent or JSON null, garbage when anything else. */
    static Instant nullableInstant(ObjectNode node, String field, String what) throws BrokerUnavailableException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return instant(node, field, what);
    }

    static Instant instant(ObjectNode node, String field, String what) throws BrokerUnavailableException {
        String text = text(node, field, what);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw garbage(what, "field '" + field + "' is not an RFC 3339 instant");
        }
    }

    /** A required string field turned into a value type whose constructor validates it. */
    static <T> T value(ObjectNode node, String field, String what, Function<String, T> parse)
            throws BrokerUnavailableException {
        String text = text(node, field, what);
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw garbage(what, "field '" + field + "' is malformed: " + e.getMessage());
        }
    }

    /** A required array of strings, each turned into a value type. */
    static <T> List<T> values(ObjectNode node, String field, String what, Function<String, T> parse)
            throws BrokerUnavailableException {
        JsonNode array = node.get(field);
        if (array == null || !array.isArray()) {
            throw garbage(what, "field '" + field + "' is missing or not an array");
        }
        List<T> out = new ArrayList<>();
        for (JsonNode element : array) {
            if (!element.isTextual()) {
                throw garbage(what, "field '" + field + "' holds a value that is not a string");
            }
            try {
                out.add(parse.apply(element.asText()));
            } catch (IllegalArgumentException | DateTimeException e) {
                throw garbage(what, "field '" + field + "' holds a malformed value: " + e.getMessage());
            }
        }
        return out;
    }

    static BrokerUnavailableException garbage(String what, String why) {
        return new BrokerUnavailableException(what + " failed: the broker answered garbage: " + why);
    }
}
