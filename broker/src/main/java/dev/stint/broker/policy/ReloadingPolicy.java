package dev.stint.broker.policy;

import dev.stint.broker.deployment.ConnectionCatalog;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy of a file that security teams edit: {@link #reloadIfChanged()} re-reads it when its
 * modification time or size changes. A file that fails validation leaves the policy in force
 * unchanged and is reported (log, {@link #lastError()}, health) until it is fixed.
 */
public final class ReloadingPolicy implements Policy {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingPolicy.class);

    /** @param inForce whether the file version seen ({@code modified}, {@code size}) is the policy in force */
    private record Loaded(DocumentPolicy policy, FileTime modified, long size, boolean inForce) {
    }

    private final Path file;
    /** The deployment is fixed for the life of the process: every version is checked against the same one. */
    private final ConnectionCatalog catalog;
    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();

    private ReloadingPolicy(Path file, ConnectionCatalog catalog, Loaded first) {
        this.file = file;
        this.catalog = catalog;
        this.current.set(first);
    }

    /** {@link #load(Path, ConnectionCatalog)} for a broker without deployment file (no connections). */
    public static ReloadingPolicy load(Path file) throws PolicyFileException {
        return load(file, ConnectionCatalog.EMPTY);
    }

    /**
     * Loads the file; a broker must not start on an invalid policy.
     *
     * @param catalog the deployment's connections: this and every later version of the file is
     *     checked against them
     */
    public static ReloadingPolicy load(Path file, ConnectionCatalog catalog) throws PolicyFileException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(catalog, "catalog");
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (IOException e) {
            throw new PolicyFileException(file.getFileName() + ": cannot be read: " + e.getMessage());
        }
        return new ReloadingPolicy(file, catalog,
                new Loaded(new DocumentPolicy(PolicyFileLoader.load(file, catalog)), modified, size, true));
    }

    /**
     * Re-reads the file when it changed. Blocking (file I/O): call it from a worker thread.
     *
     * @return whether a new policy took effect
     */
    public boolean reloadIfChanged() {
        Loaded loaded = current.get();
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (IOException e) {
            report(file.getFileName() + ": cannot be read: " + e.getMessage());
            return false;
        }
        if (modified.equals(loaded.modified()) && size == loaded.size()) {
            if (loaded.inForce()) {
                lastError.set(null);
            }
            return false;
        }
        try {
            DocumentPolicy next = new DocumentPolicy(PolicyFileLoader.load(file, catalog));
            current.set(new Loaded(next, modified, size, true));
            lastError.set(null);
            LOG.info("policy reloaded from {}", file.getFileName());
            return true;
        } catch (PolicyFileException e) {
            // Remember the bad version so that the same error is not logged every poll.
            current.set(new Loaded(loaded.policy(), modified, size, false));
            report(e.getMessage());
            return false;
        }
    }

    private void report(String error) {
        lastError.set(error);
        LOG.error("policy file rejected, keeping the previous policy: {}", error);
    }

    /** Why the latest version of the file was not taken, or empty when it was. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    @Override
    public Decision decide(PolicyRequest request) {
        return current.get().policy().decide(request);
    }

    @Override
    public Optional<TierPolicy> tier(Tier tier) {
        return current.get().policy().tier(tier);
    }

    @Override
    public Optional<Instant> nextFreeze(Tier tier, List<Scope> scopes, Instant from, Duration horizon,
            int breakGlassApprovals) {
        return current.get().policy().nextFreeze(tier, scopes, from, horizon, breakGlassApprovals);
    }

    @Override
    public List<FreezeInForce> freezesInForce(Instant now) {
        return current.get().policy().freezesInForce(now);
    }

    @Override
    public PolicyDocument document() {
        return current.get().policy().document();
    }
}
