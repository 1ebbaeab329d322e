package dev.stint.broker.policy;

import dev.stint.broker.pgroles.Grants;
import dev.stint.broker.pgroles.GroupRole;
import java.util.List;

/**
 * The grammar of the built-in PostgreSQL provider ({@link Grants}, {@link GroupRole}) checking a
 * policy's grants and group roles when it is loaded: what loads is exactly what the provider
 * will run, and a fragment that could end a statement or hide text never loads.
 */
final class PostgresGrammar implements DatabaseRoleSyntax {

    static final PostgresGrammar INSTANCE = new PostgresGrammar();

    private PostgresGrammar() {
    }

    @Override
    public void checkGrants(List<String> clauses) {
        Grants.parse(clauses);
    }

    @Override
    public void checkGroupRole(String name) {
        GroupRole.parse(name);
    }
}
