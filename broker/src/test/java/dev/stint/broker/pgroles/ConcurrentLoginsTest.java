package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many tasks' logins made and revoked at once on one database: their GRANTs on the same schema
 * collide on its catalog row ("tuple concurrently updated"), and each is run again, not refused.
 */
class ConcurrentLoginsTest {

    static final int CLIENTS = 8;
    static final int EACH = 4;

    AdminDatabase db;
    PostgresRoles roles;
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);

    @BeforeEach
    void database() throws Exception {
        db = AdminDatabase.create();
        roles = db.roles();
    }

    @AfterEach
    void clean() throws Exception {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        db.dropLeftovers();
    }

    @Test
    void loginsGrantedOnOneSchemaAtOnceAreAllMadeAndAllRevoked() throws Exception {
        Grants grants = Grants.parse(List.of("USAGE ON SCHEMA app", "SELECT ON ALL TABLES IN SCHEMA app"));
        CyclicBarrier start = new CyclicBarrier(CLIENTS);
        List<Future<List<String>>> made = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            made.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                List<String> names = new ArrayList<>();
                for (int i = 0; i < EACH; i++) {
                    RoleName name = newName();
                    names.add(roles.create(name, grants, List.of(), new RoleComment(new TaskId("t-" + name.value()),
                            new Tier("dev"), Instant.now().plusSeconds(600), "stint-test")).username());
                }
                return names;
            }));
        }
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : made) {
            all.addAll(f.get(60, TimeUnit.SECONDS));
        }
        assertThat(all).hasSize(CLIENTS * EACH).doesNotHaveDuplicates();

        CyclicBarrier again = new CyclicBarrier(CLIENTS);
        List<Future<Void>> revoked = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            List<String> mine = all.subList(c * EACH, (c + 1) * EACH);
            revoked.add(pool.submit(() -> {
                again.await(10, TimeUnit.SECONDS);
                for (String name : mine) {
                    roles.revoke(name);
                }
                return null;
            }));
        }
        for (Future<Void> f : revoked) {
            f.get(60, TimeUnit.SECONDS);
        }
        for (String name : all) {
            assertThat(db.roleExists(name)).as(name).isFalse();
        }
    }

    private synchronized RoleName newName() {
        return db.newName("dev");
    }
}
