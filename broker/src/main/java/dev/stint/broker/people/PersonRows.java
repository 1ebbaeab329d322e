package dev.stint.broker.people;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** The people's rows. */
public final class PersonRows {

    private static final String COLUMNS = "person_id, email, name, roles, status, created_at, updated_at";

    private final Tx tx;

    public PersonRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    public Optional<Person> find(String personId) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM people WHERE person_id = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, personId), PersonRows::row);
    }

    /**
     * The person an email names, as an agent's {@code owner} is matched to its person: white space
     * around it and letter case do not matter.
     *
     * @return empty when no person has that email (disabled people are found too: check the status)
     */
    public Optional<Person> byEmail(String email) throws UnavailableException {
        if (email == null) {
            return Optional.empty();
        }
        String key = email.strip().toLowerCase(Locale.ROOT);
        return tx.one("SELECT " + COLUMNS + " FROM people WHERE email = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, key), PersonRows::row);
    }

    /** Every person, by id; empty when there are none. */
    public List<Person> all() throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM people ORDER BY person_id", Tx.Binder.NONE, PersonRows::row);
    }

    /** @return {@code false} when the id or the email is taken already (nothing changes) */
    public boolean insert(Person person) throws UnavailableException {
        return tx.update("INSERT INTO people (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                ps -> {
                    set(ps, 1, person.id());
                    set(ps, 2, person.email());
                    set(ps, 3, person.name());
                    set(ps, 4, String.join(" ", person.roles().stream().map(Role::wireName).toList()));
                    set(ps, 5, person.status().wireName());
                    set(ps, 6, person.createdAt());
                    set(ps, 7, person.updatedAt());
                }) == 1;
    }

    /** @return {@code false} when no such person exists */
    public boolean updateStatus(String personId, PersonStatus status, Instant at) throws UnavailableException {
        return tx.update("UPDATE people SET status = ?, updated_at = ? WHERE person_id = ?", ps -> {
            set(ps, 1, status.wireName());
            set(ps, 2, at);
            set(ps, 3, personId);
        }) == 1;
    }

    private static Person row(ResultSet rs) throws SQLException {
        List<Role> roles = Arrays.stream(rs.getString(4).split(" ")).filter(s -> !s.isEmpty())
                .map(name -> Role.fromWire(name).orElseThrow(() -> new IllegalArgumentException("unknown role")))
                .toList();
        return new Person(rs.getString(1), rs.getString(2), rs.getString(3), roles,
                PersonStatus.fromWire(rs.getString(5)), instant(rs, 6), instant(rs, 7));
    }
}
