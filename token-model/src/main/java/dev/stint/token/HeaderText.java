package dev.stint.token;

/**
 * JOSE header values as they may appear in a rejection message. The header is written by
 * whoever sent the token, so a value is echoed only when it looks like what it claims to be.
 */
public final class HeaderText {

    private HeaderText() {
    }

    /** An {@code alg} name such as {@code HS256}, or {@code (malformed)}. */
    public static String algorithm(String alg) {
        return alg != null && alg.matches("[A-Za-z0-9+_-]{1,16}") ? alg : "(malformed)";
    }

    /** A {@code kid} of at most 64 visible ASCII characters without quotes, or {@code (malformed kid)}. */
    public static String keyId(String kid) {
        return kid != null && kid.length() <= 64 && kid.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"')
                ? kid : "(malformed kid)";
    }
}
