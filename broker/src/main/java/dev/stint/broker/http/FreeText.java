package dev.stint.broker.http;

/** Human-written fields (owner, purpose): bounded, and free of control and invisible characters. */
public final class FreeText {

    private FreeText() {
    }

    /** @return the value without surrounding white space */
    public static String require(String value, String field, int max) throws RejectedException {
        if (value == null || value.isBlank()) {
            throw RejectedException.badRequest(field + " is required");
        }
        if (value.length() > max) {
            throw RejectedException.badRequest(field + " is longer than " + max + " characters");
        }
        if (value.codePoints().anyMatch(c -> Character.getType(c) == Character.SURROGATE)) {
            // A lone surrogate is not a character: stored, it would read back as '?'.
            throw RejectedException.badRequest(field + " contains an unpaired surrogate; send valid Unicode text");
        }
        if (value.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029
                || Character.getType(c) == Character.FORMAT)) {
            throw RejectedException.badRequest(field + " contains control or invisible formatting characters");
        }
        return value.strip();
    }

    /**
     * A message from a library that may quote client input, reduced to plain characters so that
     * no quote, control or formatting character of the client's is echoed back.
     */
    public static String printable(String message) {
        if (message == null) {
            return "";
        }
        // Library messages may name the Java exception they wrap: the client is told what, not how.
        String plain = message.replaceAll("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z][A-Za-z0-9_$]*(: )?", "")
                .replaceAll("[^A-Za-z0-9 ,.:/()_-]", "");
        return plain.length() <= 160 ? plain : plain.substring(0, 160);
    }
}
