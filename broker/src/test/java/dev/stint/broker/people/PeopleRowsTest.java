package dev.stint.broker.people;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.PostgresStore;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What people keep in the store, on both stores. */
class PeopleRowsTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;
    Vertx vertx = Vertx.vertx();
    Store store;

    Store open(String kind) throws Exception {
        store = kind.equals("embedded") ? EmbeddedStore.open(vertx, dir)
                : PostgresStore.open(vertx, PostgresTestDatabase.create(), PostgresTestDatabase.USER,
                        PostgresTestDatabase.PASSWORD, 4);
        return store;
    }

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

    static Person alice() {
        return new Person("alice", "alice@example.com", "Alice", List.of(Role.APPROVER, Role.AUDITOR),
                PersonStatus.ACTIVE, T0, T0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void agentOwnerFindsThePersonWhateverItsCase(String kind) throws Exception {
        Store s = open(kind);
        await(s.write(tx -> new PersonRows(tx).insert(alice())));

        Optional<Person> found = await(s.read(tx -> new PersonRows(tx).byEmail("  Alice@Example.COM ")));
        Optional<Person> nobody = await(s.read(tx -> new PersonRows(tx).byEmail("bob@example.com")));

        assertThat(found).contains(alice());
        assertThat(nobody).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void idAndEmailAreEachTakenOnce(String kind) throws Exception {
        Store s = open(kind);
        boolean first = await(s.write(tx -> new PersonRows(tx).insert(alice())));
        boolean sameEmail = await(s.write(tx -> new PersonRows(tx).insert(new Person("alice2", "alice@example.com",
                null, List.of(Role.ADMIN), PersonStatus.ACTIVE, T0, T0))));

        assertThat(first).isTrue();
        assertThat(sameEmail).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void enrollmentIsUsedOnce(String kind) throws Exception {
        Store s = open(kind);
        await(s.write(tx -> new PersonRows(tx).insert(alice())));
        await(s.write(tx -> {
            new EnrollmentRows(tx).insert(new Enrollment("h1", "alice", T0, T0.plusSeconds(60), null));
            return null;
        }));

        boolean first = await(s.write(tx -> new EnrollmentRows(tx).markUsed("h1", T0.plusSeconds(1))));
        boolean again = await(s.write(tx -> new EnrollmentRows(tx).markUsed("h1", T0.plusSeconds(2))));

        assertThat(first).isTrue();
        assertThat(again).isFalse();
        assertThat(await(s.read(tx -> new EnrollmentRows(tx).byHash("h1"))).orElseThrow().usedAt())
                .isEqualTo(T0.plusSeconds(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void passkeyCounterMovesOnlyFromTheValueRead(String kind) throws Exception {
        Store s = open(kind);
        await(s.write(tx -> new PersonRows(tx).insert(alice())));
        Passkey key = new Passkey("cred1", "alice", "pk", "aaguid", 3, "uh", T0, null);
        await(s.write(tx -> new PasskeyRows(tx).insert(key)));

        boolean raised = await(s.write(tx -> new PasskeyRows(tx).recordUse("cred1", 3, 4, T0.plusSeconds(1))));
        boolean stale = await(s.write(tx -> new PasskeyRows(tx).recordUse("cred1", 3, 5, T0.plusSeconds(2))));

        assertThat(raised).isTrue();
        assertThat(stale).isFalse();
        assertThat(await(s.read(tx -> new PasskeyRows(tx).find("cred1"))).orElseThrow().signCount()).isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void ceremonyIsSpentOnceAndExpiredOnesAreDropped(String kind) throws Exception {
        Store s = open(kind);
        Ceremony old = new Ceremony("c-old", Ceremony.Kind.SIGN_IN, "ch0", null, null, null, T0.minusSeconds(1));
        Ceremony fresh = new Ceremony("c-new", Ceremony.Kind.SIGN_IN, "ch1", null, null, null, T0.plusSeconds(300));
        await(s.write(tx -> {
            new CeremonyRows(tx).insert(old, T0.minusSeconds(10));
            new CeremonyRows(tx).insert(fresh, T0);
            return null;
        }));

        boolean spent = await(s.write(tx -> new CeremonyRows(tx).delete("c-new")));
        boolean again = await(s.write(tx -> new CeremonyRows(tx).delete("c-new")));

        Optional<Ceremony> dropped = await(s.read(tx -> new CeremonyRows(tx).find("c-old")));
        assertThat(dropped).isEmpty();
        assertThat(spent).isTrue();
        assertThat(again).isFalse();
    }
}
