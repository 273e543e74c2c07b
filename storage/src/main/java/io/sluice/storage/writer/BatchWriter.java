package io.sluice.storage.writer;

import com.lmax.disruptor.EventHandler;
import com.zaxxer.hikari.HikariDataSource;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.Partitions;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.db.SqlStates;
import io.sluice.storage.ring.SampleEvent;
import io.sluice.storage.ring.WriteAck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One writer thread: takes its share of the ring (sequence modulo the writer count), gathers a
 * batch, and lands it with one binary COPY in one transaction; only then are the HTTP requests
 * whose samples it held acknowledged (group commit).
 *
 * <p>A partial batch lingers ({@link WriterConfig#lingerMs}) to grow, which suits UDP; but once
 * the ring has handed over the last slot of an acknowledged request, the writer commits at the
 * next pause in the ring: lingering then only delays a client that is waiting. Under load the
 * batch still grows by itself, from what arrives while the previous COPY runs.
 *
 * <p>A failed batch is retried with exponential backoff. Connection failures (the database
 * down) are retried until it returns, holding the ring back, so producers see a full ring and
 * shed load (UDP drops, HTTP 503) while the process stays up. Other failures are retried a few
 * times, then the batch is dropped, counted, and its requests answered with the error.
 */
public final class BatchWriter implements EventHandler<SampleEvent> {
    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);
    private static final int NON_TRANSIENT_ATTEMPTS = 3;

    private final int index;
    private final WriterConfig cfg;
    private final DataSource pool;
    private final SeriesRegistry registry;
    private final Partitions partitions;
    private final WriterMetrics metrics;
    private final CopyEncoder encoder;

    // The batch, column by column; reused.
    private final int[] seriesIds;
    private final SeriesKey[] newKeys;
    private final long[] times;
    private final double[] values;
    private final long[] steps;
    private int size;
    private long firstAtNanos;
    /** A request someone waits on was completed in the ring since the last flush. */
    private boolean requestEnded;
    // Acks of the batch as runs: a request's samples arrive together, so runs are few.
    private WriteAck[] acks = new WriteAck[64];
    private int[] ackCounts = new int[64];
    /** A run held a sample whose series could not be registered: its request fails. */
    private boolean[] ackLost = new boolean[64];
    private int ackRuns;
    // Per appended slot: where its rows end and its ack run (-1: best effort). Only read when a
    // series could not be registered, so the hot path writes two ints a slot, not one a row.
    private final int[] slotEnd;
    private final int[] slotRun;
    private int slots;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean halted;
    private volatile long lastFailureLogNanos;

    public BatchWriter(int index, WriterConfig cfg, DataSource pool, SeriesRegistry registry,
                       Partitions partitions, WriterMetrics metrics) {
        this.index = index;
        this.cfg = cfg;
        this.pool = pool;
        this.registry = registry;
        this.partitions = partitions;
        this.metrics = metrics;
        // A batch reaches batchSize, then takes at most one more slot before it is flushed.
        int cap = cfg.batchSize() + SampleEvent.CAPACITY;
        this.encoder = new CopyEncoder(cap * 46 + 64);
        this.seriesIds = new int[cap];
        this.newKeys = new SeriesKey[cap];
        this.times = new long[cap];
        this.values = new double[cap];
        this.steps = new long[cap];
        this.slotEnd = new int[cap];
        this.slotRun = new int[cap];
    }

    @Override
    public void onEvent(SampleEvent e, long sequence, boolean endOfBatch) {
        if (sequence % cfg.writers() == index) {
            append(e);
        }
        // Seen by every writer, whoever owns the slot: each may hold part of that request. A
        // writer that holds none of it keeps lingering (each early flush is a commit, an fsync).
        if (e.endsRequest && !requestEnded && holds(e.ack)) {
            requestEnded = true;
        }
        if (size >= cfg.batchSize() || (endOfBatch && size > 0 && (requestEnded || aged()))) {
            flush();
        } else if (endOfBatch && size == 0) {
            requestEnded = false;
        }
    }

    @Override
    public void onTimeout(long sequence) {
        if (size > 0 && aged()) {
            flush();
        }
    }

    @Override
    public void onShutdown() {
        try {
            if (size > 0) {
                flush();
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Waits until this writer has flushed its last batch after the ring stopped. */
    public boolean awaitStopped(long timeoutMs) throws InterruptedException {
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Stops retrying: a batch still failing is dropped and counted. Used when shutdown times out. */
    public void halt() {
        halted = true;
    }

    private boolean holds(WriteAck ack) {
        for (int i = ackRuns - 1; i >= 0; i--) {
            if (acks[i] == ack) {
                return true;
            }
        }
        return false;
    }

    /** The ack run of row {@code row}, or -1; on the rare path only. */
    private int runOf(int row) {
        for (int k = 0; k < slots; k++) {
            if (row < slotEnd[k]) {
                return slotRun[k];
            }
        }
        return -1;
    }

    private boolean aged() {
        return cfg.lingerMs() == 0 || System.nanoTime() - firstAtNanos >= cfg.lingerMs() * 1_000_000;
    }

    private void append(SampleEvent e) {
        if (size == 0) {
            firstAtNanos = System.nanoTime();
        }
        int n = e.count;
        System.arraycopy(e.seriesIds, 0, seriesIds, size, n);
        System.arraycopy(e.newKeys, 0, newKeys, size, n);
        System.arraycopy(e.times, 0, times, size, n);
        System.arraycopy(e.values, 0, values, size, n);
        System.arraycopy(e.steps, 0, steps, size, n);
        WriteAck ack = e.ack;
        int run = -1;
        if (ack != null) {
            if (ackRuns > 0 && acks[ackRuns - 1] == ack) {
                ackCounts[ackRuns - 1] += n;
            } else {
                if (ackRuns == acks.length) {
                    acks = Arrays.copyOf(acks, ackRuns * 2);
                    ackCounts = Arrays.copyOf(ackCounts, ackRuns * 2);
                    ackLost = Arrays.copyOf(ackLost, ackRuns * 2);
                }
                acks[ackRuns] = ack;
                ackCounts[ackRuns++] = n;
            }
            run = ackRuns - 1;
        }
        size += n;
        slotEnd[slots] = size;
        slotRun[slots++] = run;
    }

    private void flush() {
        long backoff = 10;
        int nonTransientFailures = 0;
        while (true) {
            long t0 = System.nanoTime();
            try {
                int stored = writeOnce();
                metrics.health.succeeded();
                metrics.writeSeconds.observe((System.nanoTime() - t0) / 1e9);
                metrics.batches.inc();
                metrics.batchRows.observe(stored);
                metrics.written.add(stored);
                for (int i = 0; i < ackRuns; i++) {
                    if (ackLost[i]) {
                        // Its other samples are stored, but a 2xx must mean all of them are.
                        acks[i].failed("some samples were not stored: their series could not be registered");
                    } else {
                        acks[i].committed(ackCounts[i]);
                    }
                }
                reset();
                return;
            } catch (SQLException | RuntimeException ex) {
                metrics.failedBatches.inc();
                boolean isTransient = ex instanceof SQLException sql && isTransient(sql);
                if (ex instanceof SQLException sql && SqlStates.isUnreachable(sql)) {
                    metrics.health.failed(ex);
                }
                if (!isTransient) {
                    nonTransientFailures++;
                }
                if (halted || nonTransientFailures >= NON_TRANSIENT_ATTEMPTS) {
                    String reason = halted ? "shutting down before the database accepted the write"
                            : "database rejected the batch: " + ex.getMessage();
                    log.error("batch dropped [writer={}, rows={}, reason={}]", index, size, reason, ex);
                    (halted ? metrics.droppedShutdown : metrics.droppedWriteFailed).add(size);
                    for (int i = 0; i < ackRuns; i++) {
                        acks[i].failed(reason);
                    }
                    reset();
                    return;
                }
                metrics.retries.inc();
                logFailure(ex, backoff);
                sleep(backoff);
                backoff = Math.min(cfg.maxBackoffMs(), backoff * 2);
            }
        }
    }

    /** Resolves new series, makes sure partitions exist, then COPY and commit. */
    private int writeOnce() throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                resolveNewSeries(c);
                if (!cfg.timescale()) {
                    ensurePartitions(c);
                }
                encoder.begin();
                int rows = 0;
                for (int i = 0; i < size; i++) {
                    if (seriesIds[i] >= 0) {
                        encoder.row(times[i], seriesIds[i], values[i], steps[i]);
                        rows++;
                    }
                }
                encoder.end();
                if (rows > 0) {
                    encoder.copyTo(c);
                }
                c.commit();
                return rows;
            } catch (SQLException | RuntimeException e) {
                if (e instanceof SQLException sql && isTransient(sql) && pool instanceof HikariDataSource h) {
                    // The COPY ran on the unwrapped connection, so HikariCP did not see it fail and
                    // would hand the dead connection out again.
                    h.evictConnection(c);
                } else {
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the pool validates it before handing it out again
                    }
                }
                throw e;
            }
        }
    }

    private void resolveNewSeries(Connection c) throws SQLException {
        Map<SeriesKey, Integer> wanted = null;
        for (int i = 0; i < size; i++) {
            if (seriesIds[i] != SampleEvent.UNRESOLVED) {
                continue;
            }
            int cached = registry.idOf(newKeys[i]);
            if (cached != SeriesRegistry.UNKNOWN) {
                seriesIds[i] = cached;
                newKeys[i] = null;
                continue;
            }
            if (wanted == null) {
                // Insertion order: the index given to each key below is its position in the list sent to resolve().
                wanted = new LinkedHashMap<>();
            }
            wanted.putIfAbsent(newKeys[i], wanted.size());
        }
        if (wanted == null) {
            return;
        }
        List<SeriesKey> keys = new ArrayList<>(wanted.keySet());
        int[] ids = registry.resolve(c, keys);
        c.commit();
        registry.cache(keys, ids);
        metrics.seriesCreated.add(keys.size());
        int unresolved = 0;
        for (int i = 0; i < size; i++) {
            if (seriesIds[i] == SampleEvent.UNRESOLVED) {
                int id = ids[wanted.get(newKeys[i])];
                seriesIds[i] = id;
                if (id == SeriesRegistry.UNKNOWN) {
                    unresolved++;
                    int run = runOf(i);
                    if (run >= 0) {
                        ackLost[run] = true;
                    }
                } else {
                    newKeys[i] = null;
                }
            }
        }
        if (unresolved > 0) {
            metrics.droppedUnresolved.add(unresolved);
            log.warn("samples dropped: series could not be resolved [writer={}, samples={}]", index, unresolved);
        }
    }

    private void ensurePartitions(Connection c) throws SQLException {
        Set<Long> days = null;
        long lastDay = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            long d = Partitions.dayOf(times[i]);
            if (d != lastDay && !partitions.has(d)) {
                if (days == null) {
                    days = new HashSet<>();
                }
                days.add(d);
            }
            lastDay = d;
        }
        if (days != null) {
            partitions.ensure(c, days);
        }
    }

    private void reset() {
        Arrays.fill(newKeys, 0, size, null);
        Arrays.fill(acks, 0, ackRuns, null);
        Arrays.fill(ackLost, 0, ackRuns, false);
        size = 0;
        slots = 0;
        ackRuns = 0;
        requestEnded = false;
    }

    /** See {@link SqlStates#isTransient}. */
    static boolean isTransient(SQLException e) {
        return SqlStates.isTransient(e);
    }

    private void logFailure(Exception ex, long backoffMs) {
        long now = System.nanoTime();
        // One line per ten seconds per writer: a database outage is a state, not a log storm.
        if (now - lastFailureLogNanos > 10_000_000_000L) {
            lastFailureLogNanos = now;
            log.warn("batch write failed, retrying [writer={}, rows={}, backoffMs={}, error={}]",
                    index, size, backoffMs, ex.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
