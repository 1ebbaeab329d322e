package dev.stint.broker.ui;

import dev.stint.broker.people.SignInMethod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.MutableClock;
import dev.stint.broker.people.Person;
import dev.stint.broker.people.PersonRows;
import dev.stint.broker.people.PersonStatus;
import dev.stint.broker.people.Role;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.PostgresStore;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A session keeps how and when its person signed in, on both stores (for re-authentication rules). */
class SessionSignInMethodTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    @TempDir
    Path dir;
    Vertx vertx = Vertx.vertx();
    Store store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void aSessionKeepsItsSignInMethodAndTime(String kind) throws Exception {
        store = kind.equals("embedded") ? EmbeddedStore.open(vertx, dir)
                : PostgresStore.open(vertx, PostgresTestDatabase.create(), PostgresTestDatabase.USER,
                        PostgresTestDatabase.PASSWORD, 4);
        Person ada = new Person("ada", "ada@example.com", "Ada", List.of(Role.APPROVER), PersonStatus.ACTIVE, T0, T0);
        await(store.write(tx -> new PersonRows(tx).insert(ada)));
        MutableClock clock = new MutableClock(T0);
        Sessions sessions = new Sessions(store, Sessions.DEFAULT_IDLE, clock);

        String sso = await(store.write(tx -> sessions.opener(SignInMethod.OIDC).open(tx, ada, T0)));
        String passkey = await(store.write(tx -> sessions.opener(SignInMethod.PASSKEY).open(tx, ada, T0)));
        clock.advance(Duration.ofMinutes(5));

        Sessions.SignedIn bySso = await(sessions.current(sso)).orElseThrow();
        assertThat(bySso.method()).isEqualTo(SignInMethod.OIDC);
        assertThat(bySso.signedInAt()).isEqualTo(T0);
        assertThat(await(sessions.current(passkey)).orElseThrow().method()).isEqualTo(SignInMethod.PASSKEY);
    }
}
