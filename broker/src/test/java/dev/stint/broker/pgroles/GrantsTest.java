package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.token.Tier;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** What a DBA writes, and the one statement each clause becomes. */
class GrantsTest {

    private static final RoleName ROLE = RoleName.generate(new Tier("dev"), new Random(1));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            SELECT ON ALL TABLES IN SCHEMA public                  | GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO
            select on all tables in schema public                  | GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO
            SELECT, INSERT, UPDATE ON TABLE orders, order_lines    | GRANT SELECT, INSERT, UPDATE ON TABLE "orders", "order_lines" TO
            UPDATE,SELECT ON TABLE app.orders                      | GRANT SELECT, UPDATE ON TABLE "app"."orders" TO
            USAGE ON SCHEMA public                                 | GRANT USAGE ON SCHEMA "public" TO
            USAGE, CREATE ON SCHEMA app, api                       | GRANT USAGE, CREATE ON SCHEMA "app", "api" TO
            SELECT ON ALL SEQUENCES IN SCHEMA app                  | GRANT SELECT ON ALL SEQUENCES IN SCHEMA "app" TO
            USAGE, UPDATE ON SEQUENCE app.order_id_seq             | GRANT UPDATE, USAGE ON SEQUENCE "app"."order_id_seq" TO
            EXECUTE ON ALL FUNCTIONS IN SCHEMA api                 | GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "api" TO
            CONNECT, TEMP ON DATABASE orders                       | GRANT CONNECT, TEMPORARY ON DATABASE "orders" TO
            TRUNCATE, REFERENCES, TRIGGER, DELETE ON TABLE t$1     | GRANT DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE "t$1" TO
            SELECT ON TABLE select                                 | GRANT SELECT ON TABLE "select" TO
            """)
    void clauseBecomesOneGrantWithEveryNameQuoted(String clause, String statement) {
        assertThat(Grants.parse(clause).statements(ROLE)).containsExactly(statement + " \"" + ROLE.value() + "\"");
    }

    @Test
    void listGivesOneStatementPerClauseInPolicyOrder() {
        Grants grants = Grants.parse(List.of("USAGE ON SCHEMA app", "SELECT ON ALL TABLES IN SCHEMA app"));

        assertThat(grants.statements(ROLE)).containsExactly(
                "GRANT USAGE ON SCHEMA \"app\" TO \"" + ROLE.value() + "\"",
                "GRANT SELECT ON ALL TABLES IN SCHEMA \"app\" TO \"" + ROLE.value() + "\"");
    }

    @Test
    void clausesAreShownNormalised() {
        Grants grants = Grants.parse("insert ,  select on table\n  app.orders");

        assertThat(grants.clauses()).containsExactly("SELECT, INSERT ON TABLE app.orders");
    }

    @Test
    void twoSpellingsOfOneGrantAreEqual() {
        assertThat(Grants.parse("insert, select ON TABLE orders"))
                .isEqualTo(Grants.parse(List.of("SELECT,INSERT on table orders")));
    }

    @Test
    void noneGrantsNothing() {
        assertThat(Grants.none().isEmpty()).isTrue();
        assertThat(Grants.none().statements(ROLE)).isEmpty();
    }
}
