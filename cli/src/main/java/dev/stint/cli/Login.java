package dev.stint.cli;

import dev.stint.cli.ci.GitlabIdToken;
import dev.stint.token.AgentId;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a command proves who it is to the broker, as the command line and environment say. Every
 * command authenticates afresh: nothing is kept on disk between commands.
 */
sealed interface Login permits Login.Key, Login.Ci {

    /** {@code private_key_jwt} with the agent's private EC JWK. */
    record Key(Path keyFile, AgentId agent) implements Login {
        public Key {
            Objects.requireNonNull(keyFile, "keyFile");
            Objects.requireNonNull(agent, "agent");
        }
    }

    /**
     * The CI job's OIDC token, exchanged for an agent token (RFC 8693).
     *
     * @param audience the audience to ask GitHub for; null for the broker's issuer
     * @param tokenVariable GitLab's {@code id_tokens} variable
     */
    record Ci(Platform platform, String audience, String tokenVariable) implements Login {
        public Ci {
            Objects.requireNonNull(platform, "platform");
            Objects.requireNonNull(tokenVariable, "tokenVariable");
        }
    }

    enum Platform {
        GITHUB, GITLAB;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the command line said; null where an option was not given. */
    record Options(String key, String agent, String ci, String ciAudience, String ciTokenVar) {
    }

    /**
     * The login the options ask for, options before environment ({@code STINT_KEY_FILE},
     * {@code STINT_AGENT}).
     *
     * @throws CliFailure (usage) when they ask for none, both, or something malformed
     */
    static Login from(Options options, Map<String, String> env) throws CliFailure {
        if (options.ci() != null) {
            if (options.key() != null) {
                throw CliFailure.usage("choose one credential: --key or --ci, not both");
            }
            if (options.agent() != null) {
                throw CliFailure.usage("--agent does not go with --ci: the broker's federation rules choose the agent");
            }
            Platform platform = switch (options.ci()) {
                case "github" -> Platform.GITHUB;
                case "gitlab" -> Platform.GITLAB;
                default -> throw CliFailure.usage("--ci must be github or gitlab, not '" + options.ci() + "'");
            };
            if (platform == Platform.GITLAB && options.ciAudience() != null) {
                throw CliFailure.usage("--ci-audience does not go with --ci gitlab: GitLab sets the audience in the"
                        + " job's id_tokens (aud:)");
            }
            if (platform == Platform.GITHUB && options.ciTokenVar() != null) {
                throw CliFailure.usage("--ci-token-var goes with --ci gitlab only");
            }
            if (options.ciAudience() != null && options.ciAudience().isBlank()) {
                throw CliFailure.usage("--ci-audience must not be empty");
            }
            return new Ci(platform, options.ciAudience(),
                    options.ciTokenVar() != null ? options.ciTokenVar() : GitlabIdToken.DEFAULT_VARIABLE);
        }
        if (options.ciAudience() != null || options.ciTokenVar() != null) {
            throw CliFailure.usage("--ci-audience and --ci-token-var go with --ci");
        }
        String key = options.key() != null ? options.key() : nonBlank(env.get("STINT_KEY_FILE"));
        if (key == null) {
            throw CliFailure.usage("no credential: pass --key FILE (or set STINT_KEY_FILE) with --agent ID,"
                    + " or --ci github|gitlab");
        }
        String agent = options.agent() != null ? options.agent() : nonBlank(env.get("STINT_AGENT"));
        if (agent == null) {
            throw CliFailure.usage("--key needs the agent's id: pass --agent ID or set STINT_AGENT");
        }
        try {
            return new Key(Path.of(key), new AgentId(agent));
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("--agent: " + e.getMessage());
        }
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
