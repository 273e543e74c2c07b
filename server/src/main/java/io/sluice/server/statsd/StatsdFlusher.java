package io.sluice.server.statsd;

import io.sluice.codec.statsd.StatsdAggregator;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;
import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.storage.ingest.AcknowledgedWrite;
import io.sluice.storage.ingest.WriteOutcome;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.ring.SampleBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Flushes the aggregator at each interval boundary of the wall clock (every
 * {@code statsd_flush_interval} since the epoch, so nodes and restarts agree on intervals), on a
 * thread of its own: an interval's aggregates are stamped with its start and go into the ring.
 * Closing flushes the interval under way, stamped with its start, before the ring drains. The
 * aggregates go in as acknowledged writes (whole or not at all), so a momentarily full ring delays
 * a flush rather than losing it.
 */
final class StatsdFlusher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatsdFlusher.class);
    private static final long RETRY_NANOS = 2_000_000L;

    private final StatsdAggregator aggregator;
    private final Ingest ingest;
    private final ProtocolCounters counters;
    private final long intervalMicros;
    private final Counter received;
    private final Counter ringFull;
    private final Counter writeFailed;
    private final long ringWaitNanos;
    private final IngestSink sink;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-statsd-flush");
        t.setDaemon(true);
        return t;
    });
    /** The boundary the timer waits for: the end of the interval under way. */
    private long boundary;
    private boolean closed;

    private StatsdFlusher(StatsdAggregator aggregator, Ingest ingest, ProtocolCounters counters, Duration interval,
                          Duration ringWait) {
        this.aggregator = aggregator;
        this.ingest = ingest;
        this.counters = counters;
        this.intervalMicros = interval.toNanos() / 1000;
        this.received = ingest.counters().received("statsd");
        this.ringFull = counters.dropped("ring_full");
        this.writeFailed = counters.dropped("write_failed");
        this.ringWaitNanos = ringWait.toNanos();
        this.sink = ingest.newSink(counters);
    }

    static StatsdFlusher start(StatsdAggregator aggregator, Ingest ingest, ProtocolCounters counters, Duration interval,
                               Duration ringWait) {
        StatsdFlusher f = new StatsdFlusher(aggregator, ingest, counters, interval, ringWait);
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

    /**
     * Writes one interval's aggregates into the ring as acknowledged writes of at most
     * {@code maxRequestSamples} each. A full ring is retried every few milliseconds for up to
     * {@code http_ring_wait}, as an HTTP write waits (this thread is no event loop); then that
     * piece is dropped and counted (at once once shutdown has closed the ring). A write the
     * database refuses is counted when it is known.
     */
    private void flush(long startMicros) {
        IngestSink s = sink.begin();
        int written = aggregator.flush(startMicros, intervalMicros, s);
        SampleBatch all = s.batch();
        int max = ingest.port().maxRequestSamples();
        int published = 0;
        for (int from = 0; from < all.size(); from += max) {
            int n = Math.min(max, all.size() - from);
            if (publish(from == 0 && n == all.size() ? all : slice(all, from, n))) {
                published += n;
            } else {
                ringFull.add(n);
            }
        }
        received.add(published);
        if (published < all.size()) {
            log.warn("StatsD flush: no room in the ring within http_ring_wait{}, aggregates dropped [dropped={}, written={}]",
                    ingest.port().closed() ? " (shutdown had closed it)" : "", all.size() - published, published);
        }
        all.clear();
        log.debug("StatsD flush [start={}, samples={}, published={}, refused={}]", startMicros, written, published,
                s.errorCount());
    }

    private boolean publish(SampleBatch piece) {
        int n = piece.size(); // the batch is cleared and reused before the listener hears back
        AcknowledgedWrite w = ingest.port().acknowledged(piece, (outcome, reason) -> {
            if (outcome == WriteOutcome.FAILED || outcome == WriteOutcome.REFUSED || outcome == WriteOutcome.UNAVAILABLE) {
                writeFailed.add(n);
                log.warn("StatsD aggregates not stored [samples={}, reason={}]", n, reason);
            }
        });
        long deadline = System.nanoTime() + ringWaitNanos;
        while (true) {
            AcknowledgedWrite.Publish r = w.tryPublish();
            if (r == AcknowledgedWrite.Publish.PUBLISHED) {
                return true;
            }
            if (r == AcknowledgedWrite.Publish.TOO_LARGE || System.nanoTime() > deadline || ingest.port().closed()) {
                return false;
            }
            LockSupport.parkNanos(RETRY_NANOS);
        }
    }

    private static SampleBatch slice(SampleBatch all, int from, int n) {
        SampleBatch b = new SampleBatch(n);
        for (int i = from; i < from + n; i++) {
            b.add(all.seriesId(i), all.newKey(i), all.time(i), all.value(i), all.step(i));
        }
        return b;
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
