package dev.stint.vault;

import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import io.github.jopenlibs.vault.rest.RestResponse;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP answer from Vault, however the driver delivered it, and strict reading of its
 * documented JSON fields. The driver hands some answers back as a response and others (5xx, and
 * 4xx on some calls) only inside an exception message; either way this keeps the status and the
 * body, which is only ever read as JSON, never printed.
 */
record VaultAnswer(int status, String body) {

    static VaultAnswer of(RestResponse response) {
        byte[] bytes = response.getBody();
        return new VaultAnswer(response.getStatus(), bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * The driver's failure messages end with Vault's body verbatim ("...status code: 503 {...}",
     * "...receiving 500\nResponse body: {...}"). Vault's error bodies are JSON objects, so the body
     * is taken from the first brace; if the driver's wording ever changes, the status still
     * decides and only Vault's error text is lost.
     */
    static VaultAnswer fromDriverMessage(int status, String message) {
        int brace = message == null ? -1 : message.indexOf('{');
        return new VaultAnswer(status, brace < 0 ? "" : message.substring(brace));
    }

    /** The body as a JSON object. */
    JsonObject object() throws MalformedAnswerException {
        try {
            JsonValue json = Json.parse(body);
            if (json.isObject()) {
                return json.asObject();
            }
        } catch (RuntimeException notJson) {
            // The driver's parser throws its own ParseException (unchecked), whose message quotes the body.
        }
        throw new MalformedAnswerException("the body is not a JSON object");
    }

    /** A field that must be a non-empty string, e.g. {@code data.username}. */
    static String text(JsonObject root, String path) throws MalformedAnswerException {
        JsonValue value = field(root, path);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw new MalformedAnswerException(path + " is missing or not a non-empty string");
        }
        return value.asString();
    }

    /** A field that must be a whole number of at least {@code min}, e.g. {@code lease_duration}. */
    static long wholeNumber(JsonObject root, String path, long min) throws MalformedAnswerException {
        JsonValue value = field(root, path);
        if (value == null || !value.isNumber()) {
            throw new MalformedAnswerException(path + " is missing or not a number");
        }
        long number;
        try {
            number = value.asLong();
        } catch (NumberFormatException fraction) {
            throw new MalformedAnswerException(path + " is not a whole number");
        }
        if (number < min) {
            throw new MalformedAnswerException(path + " is less than " + min);
        }
        return number;
    }

    /** A field that must be {@code true} or {@code false}. */
    static boolean bool(JsonObject root, String path) throws MalformedAnswerException {
        JsonValue value = field(root, path);
        if (value == null || !value.isBoolean()) {
            throw new MalformedAnswerException(path + " is missing or not a boolean");
        }
        return value.asBoolean();
    }

    private static JsonValue field(JsonObject root, String path) {
        JsonValue current = root;
        for (String name : path.split("\\.")) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.asObject().get(name);
        }
        return current;
    }

    /** Vault answered, but not with the JSON its API documents; the message names the field, never its value. */
    static final class MalformedAnswerException extends Exception {

        private static final long serialVersionUID = 1L;

        MalformedAnswerException(String reason) {
            super(reason, null, false, false);
        }
    }
}
