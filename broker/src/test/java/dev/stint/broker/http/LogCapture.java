package dev.stint.broker.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what loggers write while it is open, so a test can say what must (not) be logged. */
public final class LogCapture implements AutoCloseable {

    private final Logger root;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** Captures every logger. */
    public LogCapture() {
        this((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
    }

    /** Captures the logger of {@code source} (and of nothing else). */
    public LogCapture(Class<?> source) {
        this((Logger) LoggerFactory.getLogger(source));
    }

    private LogCapture(Logger logger) {
        this.root = logger;
        appender.start();
        root.addAppender(appender);
    }

    /** Every event, as "LEVEL logger: message" lines. */
    public List<String> all() {
        synchronized (appender) {
            return appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
        }
    }

    /** Events logged as warnings or worse, in order. */
    public List<ILoggingEvent> warnings() {
        synchronized (appender) { // AppenderBase appends under the appender's lock
            return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
        }
    }

    /** Events logged as errors or with a stack trace, as "LEVEL logger: message" lines. */
    public List<String> errorsOrStackTraces() {
        List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase appends under the appender's lock
            events = List.copyOf(appender.list);
        }
        return events.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null)
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " (" + e.getThrowableProxy().getClassName() + ")"))
                .toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
