package dev.stint.broker.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a secret (the store's password, a backend's admin password, a Vault token) from where a
 * deployment file points: a file or an environment variable. Every message names the file or the
 * variable and never the value.
 */
final class Secrets {

    /** What a secret is: it words the messages, and a token must also fit in an HTTP header. */
    enum Kind {
        PASSWORD("password"),
        TOKEN("token"),
        CLIENT_SECRET("client secret"),
        WEBHOOK_SECRET("webhook secret");

        private final String noun;

        Kind(String noun) {
            this.noun = noun;
        }

        private void check(String secret, String source) {
            if (this == TOKEN && !VaultBackend.isToken(secret)) {
                throw new IllegalArgumentException(source + " does not hold a token: a token is printable ASCII"
                        + " without spaces");
            }
        }

        @Override
        public String toString() {
            return noun;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);

    /** A secret file holds one secret; anything larger is the wrong file (or a device). */
    static final int MAX_FILE_BYTES = 4096;

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private Secrets() {
    }

    /**
     * The file's content as UTF-8 without trailing line breaks (editors and {@code echo} add
     * them). Warns, naming the file, when group or others may read it.
     *
     * @throws IllegalArgumentException when the file is missing, unreadable, not a regular file,
     *     larger than {@value #MAX_FILE_BYTES} bytes, empty, holds a NUL, or (a token) anything
     *     but printable ASCII
     */
    static String fromFile(Path file, Kind what) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a regular file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // Read at most one byte past the limit: never the whole of a file that is far too large.
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + reason(e), e);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(file + " is larger than " + MAX_FILE_BYTES
                    + " bytes; it should hold the " + what + " alone");
        }
        String secret = withoutTrailingLineBreaks(new String(bytes, StandardCharsets.UTF_8));
        if (secret.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty");
        }
        if (secret.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(file + " holds a NUL character, which a " + what + " cannot contain");
        }
        what.check(secret, file.toString());
        warnIfOthersCanRead(file, what);
        return secret;
    }

    /**
     * The variable's value, unchanged.
     *
     * @throws IllegalArgumentException when {@code name} is not a variable name, or the variable
     *     is unset, empty, holds a NUL, or (a token) anything but printable ASCII
     */
    static String fromEnv(String name, Map<String, String> env, Kind what) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not an environment variable name");
        }
        String value = env.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the environment variable " + name + " is not set");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the environment variable " + name + " is empty");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the environment variable " + name
                    + " holds a NUL character, which a " + what + " cannot contain");
        }
        what.check(value, "the environment variable " + name);
        return value;
    }

    private static String withoutTrailingLineBreaks(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }

    private static void warnIfOthersCanRead(Path file, Kind what) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return; // not a POSIX file system: its ACLs are beyond what we can judge here
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = view.readAttributes().permissions();
        } catch (IOException e) {
            return; // it was just read, so the only loss is the warning
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ)
                || permissions.contains(PosixFilePermission.OTHERS_READ)) {
            LOG.warn("the {} file {} can be read by its group or by others; make it readable by the"
                    + " broker's user alone (chmod 600)", what, file);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getClass().getSimpleName();
    }
}
