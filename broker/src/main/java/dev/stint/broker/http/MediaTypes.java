package dev.stint.broker.http;

/**
 * Reads a {@code Content-Type} the way RFC 9110 (section 8.3.1) writes it: {@code type "/" subtype}
 * compared without regard to case, then any number of {@code ; name=value} parameters. A value
 * that merely starts with the expected type ({@code application/jsonx}) or breaks the grammar is
 * not that type.
 */
public final class MediaTypes {

    public static final String JSON = "application/json";
    public static final String FORM = "application/x-www-form-urlencoded";

    private MediaTypes() {
    }

    /**
     * Whether {@code contentType} names exactly {@code expected}, with any well-formed parameters.
     *
     * @param contentType the header value; {@code null} (no header) is no media type
     * @param expected a lower-case {@code type/subtype}, e.g. {@link #JSON}
     */
    public static boolean is(String contentType, String expected) {
        if (contentType == null) {
            return false;
        }
        String value = contentType.strip();
        int type = token(value, 0);
        if (type == 0 || type == value.length() || value.charAt(type) != '/') {
            return false;
        }
        int subtype = token(value, type + 1);
        if (subtype == type + 1 || !value.substring(0, subtype).equalsIgnoreCase(expected)) {
            return false;
        }
        return parameters(value, subtype);
    }

    /** {@code *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )} from {@code at} to the end. */
    private static boolean parameters(String value, int at) {
        int i = at;
        while (i < value.length()) {
            i = whitespace(value, i);
            if (i == value.length()) {
                return true;
            }
            if (value.charAt(i) != ';') {
                return false;
            }
            i = whitespace(value, i + 1);
            if (i == value.length() || value.charAt(i) == ';') {
                continue;
            }
            int name = token(value, i);
            if (name == i || name == value.length() || value.charAt(name) != '=') {
                return false;
            }
            i = name + 1;
            int end = i < value.length() && value.charAt(i) == '"' ? quoted(value, i) : token(value, i);
            if (end <= i) {
                return false;
            }
            i = end;
        }
        return true;
    }

    /** The index after the token starting at {@code at} ({@code at} itself when there is none). */
    private static int token(String value, int at) {
        int i = at;
        while (i < value.length() && isTokenChar(value.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index after the quoted string starting at {@code at}, or {@code -1} when it is not closed. */
    private static int quoted(String value, int at) {
        int i = at + 1;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                i++;
                if (i == value.length() || !isQuotable(value.charAt(i))) {
                    return -1;
                }
            } else if (!isQuotable(c)) {
                return -1;
            }
            i++;
        }
        return -1;
    }

    private static int whitespace(String value, int at) {
        int i = at;
        while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isQuotable(char c) {
        return c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff;
    }
}
