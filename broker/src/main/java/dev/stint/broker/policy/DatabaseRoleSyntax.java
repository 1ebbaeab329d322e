package dev.stint.broker.policy;

import java.util.List;

/**
 * Checks, when the policy is loaded, the SQL fragments a postgres role carries: they end up in
 * {@code GRANT} statements the broker runs as an admin role, so a fragment that could end the
 * statement or hide text from the check must never load. Implementations are stateless.
 */
public interface DatabaseRoleSyntax {

    /**
     * @param clauses a role's grants, one clause per item (privileges and objects, such as
     *     {@code SELECT ON ALL TABLES IN SCHEMA public}); not empty
     * @throws IllegalArgumentException with a message fit to show, when a clause is not acceptable
     */
    void checkGrants(List<String> clauses);

    /** @throws IllegalArgumentException with a message fit to show, when {@code name} is not a group role */
    void checkGroupRole(String name);

    /** The grammar of the built-in PostgreSQL provider: what loads is what it will run. */
    static DatabaseRoleSyntax postgres() {
        return PostgresGrammar.INSTANCE;
    }
}
