package dev.stint.broker.store;

import java.util.Optional;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stint.broker.http.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The default store: one SQLite file under the data directory, needing nothing installed.
 * Write-ahead logging with a full sync at every commit, so a committed decision survives a
 * kill -9 or a power cut; one writer thread with group commit; a small pool of read-only
 * connections that never wait for the writer.
 */
public final class EmbeddedStore implements Store {

    public static final String FILE_NAME = "stint.db";

    private final Vertx vertx;
    private final HikariDataSource readers;
    private final GroupCommitWriter writer;
    private final LocalChanges changes;

    private EmbeddedStore(Vertx vertx, HikariDataSource readers, GroupCommitWriter writer, LocalChanges changes) {
        this.vertx = vertx;
        this.readers = readers;
        this.writer = writer;
        this.changes = changes;
    }

    /**
     * Opens (creating and migrating when needed) the store in {@code dataDir}. Blocking: call it
     * from a worker thread or before deploying.
     *
     * @throws UnavailableException when the file cannot be opened or migrated
     */
    public static EmbeddedStore open(Vertx vertx, Path dataDir) throws UnavailableException {
        Objects.requireNonNull(vertx, "vertx");
        Path file = dataDir.resolve(FILE_NAME);
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        HikariDataSource readers = null;
        try {
            Files.createDirectories(dataDir);
            SQLiteDataSource migrations = new SQLiteDataSource(config(false));
            migrations.setUrl(url);
            Migrations.migrate(migrations, "classpath:db/migration/sqlite", file.toString());

            Connection writeConnection = config(false).createConnection(url);

            SQLiteDataSource readSource = new SQLiteDataSource(config(true));
            readSource.setUrl(url);
            HikariConfig pool = new HikariConfig();
            pool.setDataSource(readSource);
            pool.setPoolName("stint-store-readers");
            pool.setMaximumPoolSize(4);
            pool.setReadOnly(true);
            pool.setAutoCommit(true);
            readers = new HikariDataSource(pool);
            LocalChanges changes = new LocalChanges();
            return new EmbeddedStore(vertx, readers,
                    new GroupCommitWriter(writeConnection, "stint-store-writer", changes::deliver), changes);
        } catch (IOException | SQLException | RuntimeException e) {
            if (readers != null) {
                readers.close();
            }
            throw new UnavailableException("cannot open the embedded store at " + file + ": " + e.getMessage(), e);
        }
    }

    private static SQLiteConfig config(boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.enforceForeignKeys(true);
        config.setBusyTimeout(5_000);
        // Nothing reads generated keys; the driver would otherwise query last_insert_rowid() after every insert.
        config.setGetGeneratedKeys(false);
        config.setReadOnly(readOnly);
        return config;
    }

    @Override
    public <T> Future<T> read(StoreWork<T> work) {
        return Tx.readOnWorker(vertx, readers, Dialect.SQLITE, false, work);
    }

    @Override
    public <T> Future<T> write(StoreWork<T> work) {
        return writer.write(vertx, work);
    }

    @Override
    public Optional<String> writeFailure() {
        return writer.failing();
    }

    /** The changes this broker's own units announced, after they committed: no other broker shares the file. */
    @Override
    public ChangeFeed changes() {
        return changes;
    }

    @Override
    public void close() {
        // Readers first: the last connection to close folds the log into the file, and only the
        // writer may.
        readers.close();
        writer.close();
    }

}
