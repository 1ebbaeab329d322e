package dev.stint.broker.pgroles;

import dev.stint.broker.pgroles.PostgresUnavailableException.Kind;
import java.sql.SQLException;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns a failed step into a {@link PostgresUnavailableException} of the right kind, with a reason
 * of the form {@code "<connection>: <action> failed: <why>"}. PostgreSQL's words come through only
 * as its primary message (never its detail or the statement), cut short, on one line, and scrubbed
 * of the secret at hand and of anything that follows the word "password".
 */
final class Failures {

    private static final int MAX_LENGTH = 200;
    /** A password given as {@code password=x}, {@code password: x} or {@code PASSWORD 'x'}. */
    private static final Pattern PASSWORD = Pattern.compile(
            "(?i)(passw(?:or)?d\\w*)(?:\\s*[=:]\\s*(?:'[^']*'|\"[^\"]*\"|[^\\s,;]+)|\\s+(?:'[^']*'|\"[^\"]*\"))");

    /** Objects the policy names that the database does not have. */
    private static final Set<String> MISSING = Set.of("42704", "3F000", "42P01", "3D000", "42883");

    private final String where;

    /** @param where the connection, for every reason: a name and host/database, never a password */
    Failures(String where) {
        this.where = where;
    }

    PostgresUnavailableException of(String action, Step step, SQLException e, String secret) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String said = clean(serverSaid(e), secret);
        if (state.equals("42501")) {
            return misconfigured(action, "the admin user lacks " + step.needs() + " (" + said + ")");
        }
        if (state.startsWith("28")) {
            return misconfigured(action, "the admin login was refused (" + said + ")");
        }
        if (MISSING.contains(state) || state.equals("0LP01")) {
            return misconfigured(action, said + " (SQLSTATE " + state + ")");
        }
        if (state.isEmpty()) {
            return unavailable(action, said);
        }
        if (state.equals("40001") || state.equals("40P01")
                || state.equals("XX000") && said.contains("tuple concurrently updated")) {
            // Two transactions changed the same catalog row at once (concurrent GRANTs on one
            // schema do): this one was rolled back and will succeed when run again.
            return new PostgresUnavailableException(Kind.UNAVAILABLE, where + ": " + action + " failed: " + said
                    + " (SQLSTATE " + state + ")", true);
        }
        // 08 connection, 53 resources, 57 shutdown or timeout, 55P03 lock timeout, 58 and XX server
        // trouble, 08P01 garbage on the wire; and anything else we did not expect.
        return unavailable(action, said + " (SQLSTATE " + state + ")");
    }

    PostgresUnavailableException unavailable(String action, String why) {
        return new PostgresUnavailableException(Kind.UNAVAILABLE, where + ": " + action + " failed: " + why);
    }

    PostgresUnavailableException misconfigured(String action, String why) {
        return new PostgresUnavailableException(Kind.MISCONFIGURED,
                where + ": " + action + " failed: misconfigured: " + why);
    }

    PostgresUnavailableException notGone(String action, String why) {
        return new PostgresUnavailableException(Kind.NOT_GONE, where + ": " + action + " not verified: " + why);
    }

    /**
     * The server's primary message, or the driver's message and that of the first cause that is
     * not a driver wrapper (a timeout or a refused connection says what happened there).
     */
    private static String serverSaid(SQLException e) {
        if (e instanceof PSQLException psql) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            if (server != null && server.getMessage() != null) {
                return server.getMessage();
            }
        }
        String said = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        while (cause instanceof SQLException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause != null && !(cause instanceof SQLException)) {
            said += " (" + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": "
                    + cause.getMessage()) + ")";
        }
        return said;
    }

    /** One printable line, without {@code secret} or a password, cut short. */
    static String clean(String text, String secret) {
        String scrubbed = secret == null || secret.isEmpty() ? text : text.replace(secret, "(hidden)");
        scrubbed = PASSWORD.matcher(scrubbed).replaceAll("$1 (hidden)");
        StringBuilder out = new StringBuilder();
        for (char ch : scrubbed.toCharArray()) {
            out.append(ch >= ' ' && ch < 0x7f ? ch : ' ');
        }
        String line = out.toString().replaceAll(" {2,}", " ").strip();
        return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH) + "...";
    }
}
