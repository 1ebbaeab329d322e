package dev.stint.broker.pgroles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What Stint writes in {@code COMMENT ON ROLE} of each task login, so that the catalog alone says
 * whose login it is, until when, and from which database it is removed: {@value #MARKER} followed
 * by one JSON object, e.g. {@code stint-lease:{"task":"tsk_1f..","tier":"dev",
 * "deadline":"2026-05-01T12:00:00Z","broker":"https://stint.example.com","database":"orders"}}.
 * The marker is how the reaper tells a Stint login from a role that merely has Stint's prefix, and
 * the database keeps the reaper of one database off the logins of another on the same server
 * (roles belong to the server; what they own, to one database).
 *
 * @param task     the task the login belongs to
 * @param tier     the tier it was issued for
 * @param deadline the task's deadline, which is also the role's {@code VALID UNTIL}; kept to the
 *                 microsecond, as PostgreSQL keeps it
 * @param broker   the broker that made it (its issuer or node name): 1-200 letters, digits and
 *                 {@code . _ : / @ + -}, starting with a letter or digit
 * @param database the database the login was made in; null until {@link PostgresRoles#create}
 *                 fills it in
 */
public record RoleComment(TaskId task, Tier tier, Instant deadline, String broker, String database) {

    public static final String MARKER = "stint-lease:";

    private static final Pattern BROKER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}");
    private static final Set<String> FIELDS = Set.of("task", "tier", "deadline", "broker", "database");
    private static final ObjectMapper JSON = new ObjectMapper();

    public RoleComment {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(tier, "tier");
        deadline = Objects.requireNonNull(deadline, "deadline").truncatedTo(ChronoUnit.MICROS);
        if (broker == null || !BROKER.matcher(broker).matches()) {
            throw new IllegalArgumentException("broker must be 1-200 letters, digits or . _ : / @ + -, starting with"
                    + " a letter or digit");
        }
        if (database != null && (database.isEmpty() || database.length() > Identifiers.MAX_BYTES)) {
            throw new IllegalArgumentException("database must be 1-63 characters");
        }
    }

    /** The comment for a login about to be made; {@link PostgresRoles#create} adds the database. */
    public RoleComment(TaskId task, Tier tier, Instant deadline, String broker) {
        this(task, tier, deadline, broker, null);
    }

    RoleComment inDatabase(String name) {
        return new RoleComment(task, tier, deadline, broker, name);
    }

    /** The comment's text: the marker, then the JSON object (without {@code database} while it is null). */
    public String text() {
        ObjectNode json = JSON.createObjectNode();
        json.put("task", task.value());
        json.put("tier", tier.name());
        json.put("deadline", deadline.toString());
        json.put("broker", broker);
        if (database != null) {
            json.put("database", database);
        }
        return MARKER + json;
    }

    /** True when {@code comment} starts with Stint's marker; false for null. */
    public static boolean isMarked(String comment) {
        return comment != null && comment.startsWith(MARKER);
    }

    /**
     * Reads a role's comment back; empty when it is null, has no marker, or is not a well-formed
     * Stint comment with all five fields.
     */
    public static Optional<RoleComment> parse(String comment) {
        if (!isMarked(comment)) {
            return Optional.empty();
        }
        try {
            JsonNode json = JSON.readTree(comment.substring(MARKER.length()));
            if (json == null || !json.isObject() || json.size() != FIELDS.size()) {
                return Optional.empty();
            }
            for (String field : FIELDS) {
                if (!json.path(field).isTextual()) {
                    return Optional.empty();
                }
            }
            return Optional.of(new RoleComment(new TaskId(json.get("task").asText()), new Tier(json.get("tier").asText()),
                    Instant.parse(json.get("deadline").asText()), json.get("broker").asText(),
                    json.get("database").asText()));
        } catch (JsonProcessingException | DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
