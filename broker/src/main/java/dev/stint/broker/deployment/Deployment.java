package dev.stint.broker.deployment;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a broker's parts are and how to reach them, as read from its deployment file: the store
 * and the database backends. Later sections (federation, sign-in, notifications) become further
 * components. Fixed for the life of the process.
 *
 * @param postgres the shared PostgreSQL store; empty means the embedded store (SQLite in the data
 *     directory)
 * @param backends where database logins come from, per tier; {@link Backends#NONE} when there are none
 * @param federation which CI token issuers may be reached over plain http
 * @param oidcSignIn single sign-on for people at {@code /ui/}; empty means passkeys only
 * @param notifications where approval requests and decisions are posted; {@link NotifySettings#NONE} for nowhere
 */
public record Deployment(Optional<PostgresSettings> postgres, Backends backends, FederationSettings federation,
        Optional<OidcSignInSettings> oidcSignIn, NotifySettings notifications) {

    /** No deployment file: the embedded store, and no backends. */
    public static final Deployment NONE = new Deployment(Optional.empty(), Backends.NONE);

    public Deployment {
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(backends, "backends");
        Objects.requireNonNull(federation, "federation");
        Objects.requireNonNull(oidcSignIn, "oidcSignIn");
        Objects.requireNonNull(notifications, "notifications");
    }

    public Deployment(Optional<PostgresSettings> postgres, Backends backends, FederationSettings federation,
            Optional<OidcSignInSettings> oidcSignIn) {
        this(postgres, backends, federation, oidcSignIn, NotifySettings.NONE);
    }

    public Deployment(Optional<PostgresSettings> postgres, Backends backends, FederationSettings federation) {
        this(postgres, backends, federation, Optional.empty());
    }

    public Deployment(Optional<PostgresSettings> postgres, Backends backends) {
        this(postgres, backends, FederationSettings.NONE);
    }

    /** A deployment whose store is the given PostgreSQL database, without backends. */
    public static Deployment of(PostgresSettings postgres) {
        return new Deployment(Optional.of(postgres), Backends.NONE);
    }

    public Deployment withFederation(FederationSettings newFederation) {
        return new Deployment(postgres, backends, newFederation, oidcSignIn, notifications);
    }

    public Deployment withOidcSignIn(OidcSignInSettings settings) {
        return new Deployment(postgres, backends, federation, Optional.of(settings), notifications);
    }

    public Deployment withNotifications(NotifySettings settings) {
        return new Deployment(postgres, backends, federation, oidcSignIn, settings);
    }
}
