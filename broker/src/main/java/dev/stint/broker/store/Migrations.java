package dev.stint.broker.store;

import dev.stint.broker.http.UnavailableException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Brings a store's schema to the version this broker knows, and refuses a schema that is newer:
 * a broker that does not know a column a newer broker relies on (a lock, a revocation) would
 * silently skip it. Flyway on its own only warns about such "future" migrations.
 */
final class Migrations {

    private Migrations() {
    }

    /**
     * @param location the classpath folder of this dialect's migrations
     * @param where what to name in messages (never credentials)
     * @throws UnavailableException naming both versions when the schema is newer than this broker's
     */
    static void migrate(DataSource dataSource, String location, String where) throws UnavailableException {
        Flyway flyway = Flyway.configure().dataSource(dataSource).locations(location).load();
        MigrationInfo[] all = flyway.info().all();
        Optional<MigrationVersion> known = Arrays.stream(all)
                .filter(m -> m.getState().isResolved() && m.getVersion() != null)
                .map(MigrationInfo::getVersion)
                .max(Comparator.naturalOrder());
        Optional<MigrationVersion> newest = Arrays.stream(all)
                .filter(m -> m.getState().isApplied() && m.getVersion() != null)
                .map(MigrationInfo::getVersion)
                .max(Comparator.naturalOrder());
        if (newest.isPresent() && known.isPresent() && newest.get().compareTo(known.get()) > 0) {
            throw new UnavailableException("the store at " + where + " has schema version " + newest.get()
                    + ", newer than this broker knows (version " + known.get() + "): a newer broker has"
                    + " upgraded it; run that release (or newer) here too");
        }
        flyway.migrate();
    }
}
