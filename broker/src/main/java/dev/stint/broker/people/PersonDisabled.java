package dev.stint.broker.people;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;

/**
 * What else a person's disabling takes with it, inside the unit that disables them: the approvals
 * feature plugs in here, so that tasks that no longer have their quorum without this person end.
 */
@FunctionalInterface
public interface PersonDisabled {

    /** Does nothing. */
    PersonDisabled NOTHING = (tx, person, actor, now) -> "";

    /**
     * @param person as it is now: disabled
     * @param actor who disabled them, for the audit records
     * @return what was done, for the disabling's audit reason ({@code "1 approved task(s) ended"}); empty for nothing
     */
    String disabled(Tx tx, Person person, String actor, Instant now) throws UnavailableException;
}
