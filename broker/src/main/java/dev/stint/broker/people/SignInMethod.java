package dev.stint.broker.people;

/** How a browser session was signed in, as stored ({@code person_sessions.sign_in_method}). */
public enum SignInMethod {
    PASSKEY("passkey"),
    OIDC("oidc");

    private final String wireName;

    SignInMethod(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static SignInMethod parse(String stored) {
        for (SignInMethod method : values()) {
            if (method.wireName.equals(stored)) {
                return method;
            }
        }
        throw new IllegalStateException("unknown sign-in method in the store: " + stored);
    }
}
