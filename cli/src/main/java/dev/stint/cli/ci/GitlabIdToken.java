package dev.stint.cli.ci;

import dev.stint.sdk.SubjectTokenSource;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A GitLab job's OIDC token: the variable its {@code id_tokens:} keyword declares. GitLab fixes
 * it for the whole job and the broker accepts a subject token once, so it is handed out once;
 * asking again (to renew the agent token) fails, saying why. Thread safe.
 */
public final class GitlabIdToken implements SubjectTokenSource {

    public static final String DEFAULT_VARIABLE = "STINT_ID_TOKEN";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String variable;
    private String token;

    private GitlabIdToken(String variable, String token) {
        this.variable = variable;
        this.token = token;
    }

    /**
     * @param variable the {@code id_tokens} variable, e.g. {@value #DEFAULT_VARIABLE}
     * @throws CiSetupException when the name is not a variable name or the variable is empty or unset
     */
    public static GitlabIdToken fromEnvironment(Map<String, String> env, String variable) throws CiSetupException {
        Objects.requireNonNull(variable, "variable");
        if (!NAME.matcher(variable).matches()) {
            throw new CiSetupException("--ci-token-var must be a variable name, like " + DEFAULT_VARIABLE);
        }
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            throw new CiSetupException("the GitLab job has no ID token in $" + variable + ": declare it under"
                    + " `id_tokens:` in .gitlab-ci.yml, with `aud:` the broker's issuer");
        }
        return new GitlabIdToken(variable, value.strip());
    }

    @Override
    public synchronized String subjectToken() throws IOException {
        if (token == null) {
            throw new IOException("GitLab's ID token $" + variable + " is fixed for the job and was exchanged already"
                    + " (the broker accepts each once), so the agent token cannot be renewed");
        }
        String once = token;
        token = null;
        return once;
    }

    @Override
    public String toString() {
        return "GitlabIdToken[$" + variable + "]";
    }
}
