package io.sluice.server.statsd;

import io.sluice.codec.statsd.StatsdAggregator;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;
import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.storage.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Flushes the aggregator at each interval boundary of the wall clock (every
 * {@code statsd_flush_interval} since the epoch, so nodes and restarts agree on intervals), on a
 * thread of its own: an interval's aggregates are stamped with its start and go into the ring.
 * Closing flushes the interval under way, stamped with its start, before the ring drains.
 */
final class StatsdFlusher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatsdFlusher.class);

    private final StatsdAggregator aggregator;
    private final Ingest ingest;
    private final ProtocolCounters counters;
    private final long intervalMicros;
    private final Counter received;
    private final Counter ringFull;
    private final IngestSink sink;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-statsd-flush");
        t.setDaemon(true);
        return t;
    });
    /** The boundary the timer waits for: the end of the interval under way. */
    private long boundary;
    private boolean closed;

    private StatsdFlusher(StatsdAggregator aggregator, Ingest ingest, ProtocolCounters counters, Duration interval) {
        this.aggregator = aggregator;
        this.ingest = ingest;
        this.counters = counters;
        this.intervalMicros = interval.toNanos() / 1000;
        this.received = ingest.counters().received("statsd");
        this.ringFull = counters.dropped("ring_full");
        this.sink = ingest.newSink(counters);
    }

    static StatsdFlusher start(StatsdAggregator aggregator, Ingest ingest, ProtocolCounters counters, Duration interval) {
        StatsdFlusher f = new StatsdFlusher(aggregator, ingest, counters, interval);
        f.scheduleNext();
        return f;
    }

    private static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }

    /**
     * Waits for the next boundary after now, and always a later one than the last: a timer that
     * fires a little early (its clock is not the wall clock) must not flush an interval twice.
     */
    private void scheduleNext() {
        long now = nowMicros();
        boundary = Math.max((Math.floorDiv(now, intervalMicros) + 1) * intervalMicros, boundary + intervalMicros);
        timer.schedule(this::onBoundary, Math.max(0, boundary - now), TimeUnit.MICROSECONDS);
    }

    private synchronized void onBoundary() {
        if (closed) {
            return;
        }
        try {
            flush(boundary - intervalMicros);
        } catch (RuntimeException e) {
            log.error("StatsD flush failed; the next interval goes on", e);
        } finally {
            scheduleNext();
        }
    }

    /** Writes one interval's aggregates into the ring, best effort (a full ring drops and counts). */
    private void flush(long startMicros) {
        IngestSink s = sink.begin();
        int written = aggregator.flush(startMicros, intervalMicros, s);
        int staged = s.batch().size();
        int published = staged == 0 ? 0 : ingest.port().publishBestEffort(s.batch());
        received.add(published);
        if (published < staged) {
            ringFull.add(staged - published);
            log.warn("StatsD flush: the ring was full, aggregates dropped [dropped={}, written={}]",
                    staged - published, published);
        }
        s.batch().clear();
        log.debug("StatsD flush [start={}, samples={}, published={}, refused={}]", startMicros, written, published,
                s.errorCount());
    }

    /** After the listeners stopped: the interval under way is flushed with its start. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        flush(boundary - intervalMicros);
        log.info("StatsD: the last interval flushed [keys={}]", aggregator.keys());
    }
}
