package dev.stint.broker.deployment;

import dev.stint.token.Tier;

/**
 * One connection of the deployment file's {@code backends}: a database (or a Vault engine in
 * front of one) that serves exactly one tier, so that a dev role can never reach a prod database.
 * Implementations hold a secret and never print it.
 */
public sealed interface Backend permits PostgresBackend, VaultBackend {

    /** Unique across providers, see {@link ConnectionCatalog#isName}. */
    String name();

    /** The one tier this connection serves. */
    Tier tier();

    BackendProvider provider();
}
