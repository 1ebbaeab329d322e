package dev.stint.broker.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The 32-byte key that seals signing keys at rest. It lives in its own file (mode 0600), which
 * deployments should keep apart from the data directory, e.g. on a secrets mount.
 */
public final class MasterKey {

    private MasterKey() {
    }

    /** Reads the key file, creating it with a fresh random key when it does not exist. */
    public static byte[] loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            try {
                writeSecret(file, Base64.getEncoder().encodeToString(key) + "\n");
                return key;
            } catch (FileAlreadyExistsException raced) {
                // Another process created it first: read theirs below.
            }
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            throw new IOException("master key file " + file.getFileName() + " is not base64");
        }
        if (key.length != 32) {
            throw new IOException("master key file " + file.getFileName() + " must hold 32 bytes");
        }
        return key;
    }

    /** Creates {@code file} readable by its owner only and writes {@code content}; never overwrites. */
    public static void writeSecret(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
