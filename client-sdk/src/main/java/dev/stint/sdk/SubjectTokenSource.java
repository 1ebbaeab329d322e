package dev.stint.sdk;

import java.io.IOException;

/**
 * Where a client that authenticates by token exchange (RFC 8693) gets its subject token: the
 * job's OIDC token from its CI platform (GitHub Actions, GitLab {@code id_tokens}), which the
 * broker exchanges for an agent token of the agent its federation rules map the token to.
 *
 * <p>The broker accepts each subject token once, so the client asks for a token at every
 * exchange, and a source must answer a fresh one each time when its platform can mint one
 * (GitHub's token request URL can). A source whose token is fixed (GitLab's {@code id_tokens}
 * variable) should hand it out once and refuse the next call with a message that says so: the
 * client then cannot renew its agent token, and the caller learns why.
 *
 * <p>Implementations must be thread safe; the client calls them one at a time.
 */
@FunctionalInterface
public interface SubjectTokenSource {

    /**
     * A subject token (a signed JWT) for one exchange, never null or empty.
     *
     * @throws IOException when no token can be had now; its message says why, in words an
     *     operator can act on, and never contains a token or a credential of the platform
     */
    String subjectToken() throws IOException;
}
