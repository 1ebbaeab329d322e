package dev.stint.broker.people;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stint.broker.http.FreeText;
import dev.stint.broker.http.RejectedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/people}: {@code {person_id, email, name?, roles[]}}. The email is
 * kept in lower case, so that an agent's owner matches it however it was written.
 */
public record PersonRegistration(
        @JsonProperty("person_id") String personId,
        @JsonProperty("email") String email,
        @JsonProperty("name") String name,
        @JsonProperty("roles") List<String> roles) {

    static final Pattern PERSON_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** The usual address shape; quotes, brackets and white space are refused. */
    static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /** Checks every field and builds the person, active from {@code now}. */
    public Person toPerson(Instant now) throws RejectedException {
        String id = requireId(personId);
        String cleanEmail = email(email);
        String cleanName = name == null ? null : FreeText.require(name, "name", 200);
        if (roles == null || roles.isEmpty()) {
            throw RejectedException.badRequest("roles is required: one or more of approver, admin, auditor");
        }
        List<Role> parsed = new ArrayList<>();
        for (String role : roles) {
            Role known = Role.fromWire(role).orElseThrow(() -> RejectedException.badRequest(
                    "roles may hold only approver, admin and auditor"));
            if (parsed.contains(known)) {
                throw RejectedException.badRequest("roles names " + known.wireName() + " twice");
            }
            parsed.add(known);
        }
        return new Person(id, cleanEmail, cleanName, parsed, PersonStatus.ACTIVE, now, now);
    }

    static String requireId(String id) throws RejectedException {
        if (id == null || !PERSON_ID.matcher(id).matches()) {
            throw RejectedException.badRequest("person_id must be 1-64 of a-z 0-9 . _ - starting with a letter"
                    + " or digit");
        }
        return id;
    }

    /** An email as people are looked up by it: trimmed, lower case, in the usual shape. */
    static String email(String value) throws RejectedException {
        String clean = FreeText.require(value, "email", 254);
        if (!EMAIL.matcher(clean).matches()) {
            throw RejectedException.badRequest("email must be an address like alice@example.com");
        }
        return clean.toLowerCase(Locale.ROOT);
    }
}
