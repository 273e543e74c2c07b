package io.sluice.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Every log event while it is open, from every logger (tests run one class at a time). */
final class LogCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** The formatted lines holding {@code text}. */
    List<ILoggingEvent> containing(String text) {
        return events().stream().filter(e -> e.getFormattedMessage().contains(text)).toList();
    }

    /** Events at WARN or above that carry a stack trace. */
    List<ILoggingEvent> stackTraces() {
        return events().stream().filter(e -> e.getThrowableProxy() != null).toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
