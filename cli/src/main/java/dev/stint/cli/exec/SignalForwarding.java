package dev.stint.cli.exec;

import java.util.List;
import java.util.Objects;
import sun.misc.Signal;

/**
 * Catches SIGINT and SIGTERM for {@code stint exec}, so that they never end stint before it has
 * ended its task. Before the command runs, a signal is only remembered (stint then does not
 * start it); while it runs, each signal is passed on to it, and stint goes on waiting for it to
 * exit. Thread safe.
 */
public final class SignalForwarding {

    /** The signals caught. */
    public static final List<String> SIGNALS = List.of("INT", "TERM");

    private final Object lock = new Object();
    private ChildProcess child;
    private String pending;

    SignalForwarding() {
    }

    /** Starts catching the signals; from now on they no longer end this JVM. */
    public static SignalForwarding install() {
        SignalForwarding forwarding = new SignalForwarding();
        for (String name : SIGNALS) {
            Signal.handle(new Signal(name), signal -> forwarding.received(signal.getName()));
        }
        return forwarding;
    }

    void received(String name) {
        synchronized (lock) {
            if (child == null) {
                if (pending == null) {
                    pending = name;
                }
                return;
            }
        }
        child.signal(name);
    }

    /**
     * Starts the command unless a signal came first; from then on signals go to it.
     *
     * @return the command, or null when a signal came before it could start ({@link #pending()})
     */
    public <E extends Exception> ChildProcess startUnlessSignalled(Starter<E> start) throws E {
        Objects.requireNonNull(start, "start");
        synchronized (lock) {
            if (pending != null) {
                return null;
            }
            child = start.start();
            return child;
        }
    }

    /** The first signal received before the command started, or null. */
    public String pending() {
        synchronized (lock) {
            return pending;
        }
    }

    /** The exit code of a process that a signal killed, as shells report it: 128 + its number. */
    public static int exitCodeFor(String name) {
        return 128 + new Signal(name).getNumber();
    }

    /** Starts the command; may throw. */
    @FunctionalInterface
    public interface Starter<E extends Exception> {
        ChildProcess start() throws E;
    }

}
