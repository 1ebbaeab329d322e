package dev.stint.token;

/**
 * The token is not acceptable: malformed, badly signed, expired, for another audience or tier.
 * The message reads "token rejected: &lt;why&gt;", names the claim or header at fault and never
 * contains the token itself. Contrast {@link KeyUnavailableException}: we could not check at all.
 */
public final class TokenRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public TokenRejectedException(String why) {
        super("token rejected: " + why);
    }
}
