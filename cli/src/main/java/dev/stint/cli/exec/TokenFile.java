package dev.stint.cli.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * The file {@code STINT_TOKEN_FILE} names: the current task token, alone in a directory of its
 * own that only this user can enter (0700), in a file only this user can read (0600). Both are
 * created with those modes, so there is no moment when others could read them. Each rewrite
 * writes a new file beside it and renames it over the old one, so a reader sees the old token or
 * the new one, never half of one. Not thread safe: one writer.
 */
public final class TokenFile implements AutoCloseable {

    static final String NAME = "token";
    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path directory;
    private final Path file;

    private TokenFile(Path directory) {
        this.directory = directory;
        this.file = directory.resolve(NAME);
    }

    /**
     * Creates a fresh private directory under {@code parent} holding {@code token}.
     *
     * @throws IOException when it cannot be created; nothing is left behind then
     */
    public static TokenFile create(Path parent, String token) throws IOException {
        Objects.requireNonNull(parent, "parent");
        TokenFile created = new TokenFile(Files.createTempDirectory(parent, "stint-", DIRECTORY));
        try {
            created.write(token);
        } catch (IOException | RuntimeException e) {
            created.close();
            throw e;
        }
        return created;
    }

    public Path path() {
        return file;
    }

    /** Replaces the token, atomically. */
    public void write(String token) throws IOException {
        Objects.requireNonNull(token, "token");
        Path next = Files.createTempFile(directory, NAME + "-", ".new", FILE);
        try {
            Files.writeString(next, token, StandardCharsets.US_ASCII);
            try {
                Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Same directory, so this cannot happen on a POSIX file system; never fall back to a copy.
                throw new IOException("cannot replace " + file + " atomically", e);
            }
        } finally {
            Files.deleteIfExists(next);
        }
    }

    /** Removes the token and its directory; idempotent. */
    @Override
    public void close() throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                Files.deleteIfExists(entry);
            }
        } catch (NoSuchFileException gone) {
            return;
        }
        Files.deleteIfExists(directory);
    }

    @Override
    public String toString() {
        return "TokenFile[" + file + "]";
    }
}
