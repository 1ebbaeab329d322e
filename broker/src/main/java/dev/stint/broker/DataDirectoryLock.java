package dev.stint.broker;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a data directory, held while a broker runs: a second broker on the same
 * directory refuses to start, naming the process that holds it, instead of reporting healthy
 * while every write fails. The lock is {@code DATA-DIR/broker.lock}, locked with
 * {@link FileChannel#tryLock()} and holding the owner's PID and start time. Closing releases it;
 * the operating system releases it when the process dies (even by {@code kill -9}). The file
 * itself stays: deleting it could let two brokers lock two different files of the same name.
 *
 * <p>Nothing else in the process may open the lock file while it is held: POSIX drops all of a
 * process's locks on a file when any of its descriptors for that file is closed. Brokers in one
 * JVM are therefore told apart by a registry of the directories this process has locked.
 */
final class DataDirectoryLock implements AutoCloseable {

    static final String FILE_NAME = "broker.lock";

    /** Lock file → its holder's description, for every data directory this process has locked. */
    private static final Map<Path, String> HELD_HERE = new ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private DataDirectoryLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir}, which must exist, and records this process as its holder.
     *
     * @param startedAt when this broker started, for the message a second broker gives
     * @throws IllegalStateException when another broker (in this process or another) holds it
     * @throws IOException when the lock file cannot be created or written
     */
    static DataDirectoryLock acquire(Path dir, Instant startedAt) throws IOException {
        Objects.requireNonNull(startedAt, "startedAt");
        Path file = dir.toRealPath().resolve(FILE_NAME);
        String holder = "pid " + ProcessHandle.current().pid() + ", started " + startedAt;
        String other = HELD_HERE.putIfAbsent(file, holder);
        if (other != null) {
            throw inUse(dir, other);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, CREATE, READ, WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String recorded = read(channel);
                throw inUse(dir, recorded.isEmpty() ? "pid unknown" : recorded);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new DataDirectoryLock(file, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                closeQuietly(channel);
            }
            HELD_HERE.remove(file);
            throw e;
        }
    }

    /** Releases the lock; the next broker may take the directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it too.
        }
        closeQuietly(channel);
        HELD_HERE.remove(file);
    }

    private static IllegalStateException inUse(Path dir, String holder) {
        return new IllegalStateException("data directory " + dir + " is in use by another broker (" + holder
                + "); stop that broker first, or give this one another --data-dir");
    }

    /** The holder's line, read through the channel already open (never a second descriptor). */
    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
            // keep reading until the buffer is full or the file ends
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
    }
}
