package io.sluice.storage.log;

import org.slf4j.Logger;

/**
 * One WARN line per interval for a storm of the same kind of event (clients hanging up, malformed
 * requests, a database that stopped answering): the first is logged, the rest are counted, and
 * the next line says how many were not ({@code suppressed=N}). Only error paths call it, so a
 * lock is cheap enough.
 *
 * <p>Formats are {@code message [key={}, ...]}; {@code suppressed} is added as the last key.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private long lastNanos;
    private boolean any;
    private long suppressed;
    private String windowId;

    public RateLimitedLog(Logger log, long intervalMillis) {
        if (intervalMillis < 0) {
            throw new IllegalArgumentException("interval must not be negative, got " + intervalMillis + " ms");
        }
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    public synchronized void warn(String format, Object... args) {
        if (due()) {
            log.warn(withSuppressed(format), append(args, suppressed));
            suppressed = 0;
        }
    }

    /**
     * As {@link #warn}, for events answered with an error id: a line that goes out gets a new id,
     * which the format's first placeholder shows ({@code [errorId={}, ...]}); events within the
     * interval share it, so every id a client was given is on a line that describes its failure.
     *
     * @return the id of the line describing this event
     */
    public synchronized String warnWithId(String format, Object... args) {
        if (due()) {
            windowId = ErrorIds.next();
            Object[] all = new Object[args.length + 1];
            all[0] = windowId;
            System.arraycopy(args, 0, all, 1, args.length);
            log.warn(withSuppressed(format), append(all, suppressed));
            suppressed = 0;
        }
        return windowId;
    }

    private boolean due() {
        long now = System.nanoTime();
        if (any && now - lastNanos < intervalNanos) {
            suppressed++;
            return false;
        }
        any = true;
        lastNanos = now;
        return true;
    }

    private static String withSuppressed(String format) {
        int close = format.lastIndexOf(']');
        return close < 0 ? format + " [suppressed={}]" : format.substring(0, close) + ", suppressed={}" + format.substring(close);
    }

    private static Object[] append(Object[] args, long n) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = n;
        return all;
    }
}
