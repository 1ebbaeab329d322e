package dev.stint.broker.approvals;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.people.Person;
import dev.stint.broker.people.PersonRows;
import dev.stint.broker.store.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The verdicts people gave on approval requests: one row per person per request, never changed. */
public final class VoteRows {

    private static final String COLUMNS = "approval_id, person_id, verdict, comment, evidence, at";

    private final Tx tx;

    public VoteRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** @return {@code false} when this person has given a verdict on this request already */
    public boolean insert(Vote vote) throws UnavailableException {
        return tx.update("INSERT INTO approval_votes (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (approval_id, person_id) DO NOTHING", ps -> {
                    set(ps, 1, vote.approvalId());
                    set(ps, 2, vote.personId());
                    set(ps, 3, vote.verdict().wireName());
                    set(ps, 4, vote.comment());
                    set(ps, 5, vote.evidence());
                    set(ps, 6, vote.at());
                }) == 1;
    }

    /** A verdict and who gave it, as the people's rows know them now: empty when they are gone. */
    public record Cast(Vote vote, Optional<Person> voter) {
    }

    /** The verdicts on a request with their voters, in the order they were given. */
    public List<Cast> withVoters(String approvalId) throws UnavailableException {
        PersonRows people = new PersonRows(tx);
        List<Cast> cast = new ArrayList<>();
        for (Vote vote : of(approvalId)) {
            cast.add(new Cast(vote, people.find(vote.personId())));
        }
        return cast;
    }

    /** The verdicts on a request, in the order they were given. */
    public List<Vote> of(String approvalId) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM approval_votes WHERE approval_id = ? ORDER BY at, person_id",
                ps -> set(ps, 1, approvalId), rs -> new Vote(rs.getString(1), rs.getString(2),
                        Vote.Verdict.fromWire(rs.getString(3)), rs.getString(4), rs.getString(5), instant(rs, 6)));
    }
}
