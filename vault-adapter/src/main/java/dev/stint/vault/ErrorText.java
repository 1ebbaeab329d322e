package dev.stint.vault;

import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonArray;
import io.github.jopenlibs.vault.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns what Vault (or the network) said into text fit for an audit log. Only the strings of a
 * documented {@code {"errors":[...]}} body are kept, never a raw body; each is cut short, stripped
 * of anything but printable ASCII, and scrubbed of the connection's token and of anything that
 * follows the word "password" (a database plugin's error could quote a statement).
 */
final class ErrorText {

    private static final int MAX_ERRORS = 3;
    private static final int MAX_LENGTH = 160;
    private static final Pattern PASSWORD = Pattern.compile("(?i)(passw(?:or)?d\\w*)\\s*[=:]?\\s*('[^']*'|\"[^\"]*\"|[^\\s,;]+)");

    private final String token;

    ErrorText(String token) {
        this.token = token;
    }

    /** The errors of a Vault error body, joined by "; ", or an empty string if the body is not one. */
    String errorsOf(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonValue errors;
        try {
            JsonValue json = Json.parse(body);
            errors = json.isObject() ? json.asObject().get("errors") : null;
        } catch (RuntimeException notJson) {
            return "";
        }
        if (errors == null || !errors.isArray()) {
            return "";
        }
        List<String> kept = new ArrayList<>();
        JsonArray array = errors.asArray();
        for (int i = 0; i < array.size() && kept.size() < MAX_ERRORS; i++) {
            if (array.get(i).isString() && !array.get(i).asString().isBlank()) {
                kept.add(clean(array.get(i).asString()));
            }
        }
        return String.join("; ", kept);
    }

    /**
     * An I/O exception's message, cut before anything it quotes: the JDK's HTTP client quotes the
     * bytes it received ("parsing HTTP/1.1 status line, receiving [...]"), which are the answer.
     */
    String transportMessage(String message) {
        if (message == null) {
            return "";
        }
        int quote = indexOfAny(message, "[\"'{<");
        return clean(quote < 0 ? message : message.substring(0, quote));
    }

    /** Cleans free text for a reason: token and passwords scrubbed, one printable line, cut short. */
    String clean(String text) {
        if (text == null) {
            return "";
        }
        String scrubbed = token.isEmpty() ? text : text.replace(token, "(token)");
        scrubbed = PASSWORD.matcher(scrubbed).replaceAll("$1 (hidden)");
        // Control characters (Vault's multi-error text has newlines and tabs) become one space; a
        // reason is one line, so it cannot forge another line in a log.
        StringBuilder out = new StringBuilder(Math.min(scrubbed.length(), MAX_LENGTH) + 3);
        int i = 0;
        for (; i < scrubbed.length() && out.length() < MAX_LENGTH; i++) {
            char c = scrubbed.charAt(i);
            if (c < 0x20 || c == ' ') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                    out.append(' ');
                }
            } else {
                out.append(c < 0x7f ? c : '?');
            }
        }
        if (i < scrubbed.length()) {
            out.append("...");
        }
        return out.toString().strip();
    }

    private static int indexOfAny(String text, String characters) {
        for (int i = 0; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
