package io.sluice.storage;

import com.lmax.disruptor.EventHandler;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sluice.storage.db.DatabaseHealth;
import io.sluice.storage.db.HotChunks;
import io.sluice.storage.db.Partitions;
import io.sluice.storage.db.Pieces;
import io.sluice.storage.db.Sealer;
import io.sluice.storage.head.Head;
import io.sluice.storage.head.HeadLoader;
import io.sluice.storage.db.Schema;
import io.sluice.storage.db.TimescalePolicies;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.ingest.IngestPort;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.query.RollupInvalidations;
import io.sluice.storage.query.RollupMetrics;
import io.sluice.storage.query.Rollups;
import io.sluice.storage.ring.SampleEvent;
import io.sluice.storage.ring.SampleRing;
import io.sluice.storage.writer.BatchWriter;
import io.sluice.storage.writer.CommittedBatches;
import io.sluice.storage.writer.JournalFlusher;
import io.sluice.storage.writer.JournalRecovery;
import io.sluice.storage.writer.LocalJournal;
import io.sluice.storage.writer.LocalJournalRecovery;
import io.sluice.storage.writer.WriterConfig;
import io.sluice.storage.writer.WriterMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The storage side assembled: connection pool, schema, series cache, partitions, the ring and
 * its writers. {@link #open} connects and prepares; more ring consumers (live fan-out) may be
 * added before {@link #start}; {@link #close} drains the ring to the database.
 */
public final class Storage implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Storage.class);

    private final StorageConfig cfg;
    private final HikariDataSource pool;
    private final Schema.Flavor flavor;
    private final SeriesRegistry registry;
    private final Partitions partitions;
    /** Plain PostgreSQL's hot tier: pieces, their sealing; null on TimescaleDB. */
    private final Pieces pieces;
    private final Sealer sealer;
    /** TimescaleDB's hot tier: chunks and their sealing; null on plain PostgreSQL. */
    private final HotChunks chunks;
    /** The head of either hot tier, or null. */
    private final Head head;
    /** Index builds of pieces take seconds to minutes: their own thread. */
    private final ScheduledThreadPoolExecutor sealing;
    private final SampleRing ring;
    private final IngestPort ingest;
    private final List<BatchWriter> writers = new ArrayList<>();
    private final CommittedBatches committedBatches;
    /** With write_ack = journal: writes the journaled samples behind the writers; else null. */
    private final JournalFlusher journal;
    /** Writes the journal rows other process starts left (at start and every minute). */
    private final JournalRecovery recovery;
    /** With write_ack = local: the writers' journal files (locked while this runs), and what recovers them; else null. */
    private final LocalJournal local;
    private final LocalJournalRecovery localRecovery;
    private final ScheduledThreadPoolExecutor maintenance;
    /** Index rebuilds take minutes on big days; they get their own thread so rollups stay fresh. */
    private final ScheduledThreadPoolExecutor compaction;
    /** The three schedulers above, by name for log lines. */
    private final Map<String, ScheduledThreadPoolExecutor> background;
    /** Set when shutdown stops the scheduled work: a task the pool's closing cuts short is expected then. */
    private volatile boolean stopping;
    private volatile boolean started;
    /** The drain's result once it ran. */
    private Boolean drained;
    private final Rollups rollups;
    private final DatabaseHealth health;

    private Storage(StorageConfig cfg, HikariDataSource pool, Schema.Flavor flavor, SeriesRegistry registry,
                    Partitions partitions, Pieces pieces, Head head, Metrics metrics, LocalJournal local) {
        this.cfg = cfg;
        this.local = local;
        this.pool = pool;
        this.flavor = flavor;
        this.registry = registry;
        this.partitions = partitions;
        this.pieces = pieces;
        this.head = head;
        long sealDelay = cfg.hotTier().sealDelay().toNanos() / 1000;
        this.sealer = pieces == null ? null : new Sealer(pieces, sealDelay, head, metrics);
        this.chunks = flavor == Schema.Flavor.TIMESCALE ? new HotChunks(sealDelay, head, metrics) : null;
        if (head != null) {
            metrics.gauge("sluice_head_bytes", "Memory the head's samples take, with the blocks it keeps for reuse.", head::bytes);
            metrics.gauge("sluice_head_samples", "Samples the head holds.", head::samples);
            metrics.gauge("sluice_head_pressure_trims", "Times the head let go of its oldest samples to stay in its bound.",
                    head::pressureTrims);
        }
        WriterConfig wc = cfg.writer();
        WriterConfig effective = new WriterConfig(wc.writers(), wc.batchSize(), wc.lingerMs(), wc.maxBackoffMs(),
                flavor == Schema.Flavor.TIMESCALE);
        this.ring = new SampleRing(cfg.ringSize(), Math.max(5, wc.lingerMs()));
        this.ingest = new IngestPort(ring, metrics);
        this.health = new DatabaseHealth(cfg.database());
        WriterMetrics wm = new WriterMetrics(metrics, health);
        this.committedBatches = new CommittedBatches(UUID.randomUUID());
        RollupMetrics rm = new RollupMetrics(metrics);
        // TimescaleDB keeps its own invalidation log for the continuous aggregates.
        RollupInvalidations late = flavor == Schema.Flavor.POSTGRES ? new RollupInvalidations(rm) : null;
        Partitions days = flavor == Schema.Flavor.POSTGRES ? partitions : null;
        this.journal = cfg.journal().journal() ? new JournalFlusher(cfg.journal(), pool, days, pieces, head, late, wm, local)
                : null;
        this.recovery = new JournalRecovery(pool, committedBatches.node(), cfg.journal(), days, pieces, head, late, wm);
        this.localRecovery = local == null ? null
                : new LocalJournalRecovery(pool, local, cfg.journal(), days, pieces, head, late, wm);
        if (journal != null) {
            metrics.gauge("sluice_journal_pending_samples", "Journaled samples handed to the flusher and not yet written.",
                    journal::pending);
        }
        for (int i = 0; i < wc.writers(); i++) {
            BatchWriter w = new BatchWriter(i, effective, pool, registry, partitions, pieces, head, committedBatches, wm,
                    late, journal, local);
            writers.add(w);
            ring.addConsumer(w);
        }
        metrics.gauge("sluice_ring_occupancy", "Ring slots holding samples not yet consumed.", ring::occupancy);
        metrics.gauge("sluice_ring_capacity", "Ring slots in all.", ring::capacity);
        metrics.gauge("sluice_series", "Series with a cached id on this node.", registry::size);
        metrics.gauge("sluice_series_pending", "New series waiting for an id.", registry::pendingCount);
        metrics.gauge("sluice_db_connections_active", "Pool connections in use.",
                () -> pool.getHikariPoolMXBean() == null ? 0 : pool.getHikariPoolMXBean().getActiveConnections());
        this.rollups = new Rollups(cfg.retentionRaw().toNanos() / 1000, cfg.retention1m().toNanos() / 1000, rm);
        if (head != null && flavor == Schema.Flavor.POSTGRES && cfg.hotTier().rollupFromHead()) {
            // One node (there is no head with redis_url): every committed sample reaches this head.
            // On TimescaleDB the rollups are continuous aggregates, and its head keeps no minutes.
            rollups.fromHead(head);
            metrics.gauge("sluice_head_minute_cells", "1-minute aggregates the head holds for the rollup.",
                    head::minuteCells);
        }
        this.maintenance = scheduler("sluice-maintenance");
        this.compaction = scheduler("sluice-compaction");
        this.sealing = scheduler("sluice-seal");
        this.background = Map.of("maintenance", maintenance, "compaction", compaction, "sealing", sealing);
    }

    /** One thread for scheduled database work; on shutdown its schedule is dropped, a run under way ends. */
    private static ScheduledThreadPoolExecutor scheduler(String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        e.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return e;
    }

    /**
     * Connects (failing fast with a clear message when the database cannot be reached), applies
     * the schema, loads the series cache and prepares partitions.
     */
    public static Storage open(StorageConfig cfg, Metrics metrics) throws SQLException {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("sluice");
        hc.setJdbcUrl(cfg.database().jdbcUrl());
        if (cfg.database().user() != null) {
            hc.setUsername(cfg.database().user());
        }
        if (cfg.database().password() != null) {
            hc.setPassword(cfg.database().password());
        }
        // One more than asked for: the sealer's second session, which reads the blocks it moves.
        hc.setMaximumPoolSize(cfg.writer().writers() + Math.max(1, cfg.extraConnections()) + 1);
        hc.setMinimumIdle(cfg.writer().writers());
        hc.setConnectionTimeout(5_000);
        hc.setInitializationFailTimeout(10_000);
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        hc.addDataSourceProperty("ApplicationName", "sluice");
        HikariDataSource pool;
        LocalJournal local = null;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new SQLException("cannot connect to the database at " + cfg.database().masked()
                    + ": " + rootMessage(e), "08001", e);
        }
        try {
            Schema.Flavor flavor;
            SeriesRegistry registry = new SeriesRegistry(cfg.maxSeries());
            Partitions partitions = new Partitions(metrics);
            Pieces pieces = null;
            Head head = null;
            try (Connection c = pool.getConnection()) {
                flavor = Schema.apply(c, cfg.chunkInterval(), cfg.allowTimescale());
                registry.load(c);
                if (flavor == Schema.Flavor.TIMESCALE) {
                    TimescalePolicies.apply(c, cfg.chunkInterval(), Duration.ofDays(7), cfg.retentionRaw(), cfg.retention1m());
                    if (cfg.hotTier().headBytes() > 0) {
                        head = new Head(cfg.hotTier().headBytes());
                    }
                }
                if (flavor == Schema.Flavor.POSTGRES) {
                    partitions.load(c);
                    partitions.ensureAhead(c, System.currentTimeMillis() * 1000, cfg.partitionsAhead());
                    pieces = new Pieces(cfg.hotTier().piece().toNanos() / 1000, metrics);
                    pieces.load(c);
                    ensurePiecesAhead(c, pieces);
                    if (cfg.hotTier().headBytes() > 0) {
                        head = new Head(cfg.hotTier().headBytes(), cfg.hotTier().rollupFromHead());
                    }
                }
            }
            if (cfg.journal().local()) {
                try {
                    // First: a second process on the same data dir stops here, before it touches anything.
                    local = LocalJournal.open(cfg.journal().localDir(), cfg.journal().segmentBytes(), metrics);
                } catch (IOException e) {
                    throw new SQLException("cannot open the local journal (write_ack = local): " + e.getMessage(), "55000", e);
                }
            }
            Storage storage = new Storage(cfg, pool, flavor, registry, partitions, pieces, head, metrics, local);
            // What earlier starts journaled and did not write: before the head is loaded, so it has them.
            storage.recovery.recover(Duration.ZERO, false, () -> false);
            if (storage.localRecovery != null) {
                try {
                    storage.localRecovery.recover();
                } catch (IOException e) {
                    throw new SQLException("cannot read the local journal in " + cfg.journal().localDir() + ": " + e, "58030", e);
                }
                local.startSpares();
            }
            if (head != null) {
                try (Connection c = pool.getConnection()) {
                    long now = System.currentTimeMillis() * 1000;
                    long sealDelay = cfg.hotTier().sealDelay().toNanos() / 1000;
                    HeadLoader.load(c, head, flavor == Schema.Flavor.TIMESCALE ? HotChunks.hotFrom(c, now, sealDelay)
                            : pieces.hotFrom(c, now, sealDelay));
                }
            }
            log.info("storage ready [database={}, flavor={}, writers={}, batchSize={}, ring={}, writeAck={}]",
                    cfg.database().masked(), flavor, cfg.writer().writers(), cfg.writer().batchSize(), cfg.ringSize(),
                    cfg.journal().writeAck());
            return storage;
        } catch (SQLException | RuntimeException e) {
            if (local != null) {
                local.close();
            }
            pool.close();
            throw e;
        }
    }

    /** Adds a consumer of every sample (e.g. live fan-out); before {@link #start()}. */
    public void addConsumer(EventHandler<SampleEvent> consumer) {
        ring.addConsumer(consumer);
    }

    public void start() {
        if (journal != null) {
            journal.start();
        }
        ring.start();
        started = true;
        health.start();
        maintenance.scheduleWithFixedDelay(this::recoverJournal, 1, 1, TimeUnit.MINUTES);
        maintenance.scheduleWithFixedDelay(this::pruneCommittedBatches, 10, 60, TimeUnit.MINUTES);
        if (flavor == Schema.Flavor.POSTGRES) {
            maintenance.scheduleWithFixedDelay(this::createPartitionsAhead, 0, 1, TimeUnit.HOURS);
            maintenance.scheduleWithFixedDelay(this::refreshRollups, 5, 30, TimeUnit.SECONDS);
            maintenance.scheduleWithFixedDelay(this::applyRetention, 1, 60, TimeUnit.MINUTES);
            compaction.scheduleWithFixedDelay(this::compactClosedDays, 2, 10, TimeUnit.MINUTES);
            maintenance.scheduleWithFixedDelay(this::createPiecesAhead, 1, 1, TimeUnit.MINUTES);
        }
        sealing.scheduleWithFixedDelay(this::sealDue, 10, 10, TimeUnit.SECONDS);
    }

    /** Journal rows of other nodes a minute old: their node stopped, or cannot reach the database. */
    private void recoverJournal() {
        try {
            recovery.recover(Duration.ofMinutes(1), true, () -> stopping);
        } catch (SQLException | RuntimeException e) {
            failed("journal recovery", e);
        }
    }

    /** With write_ack = journal, the stage that writes the journaled samples; else null. */
    public JournalFlusher journal() {
        return journal;
    }

    /** The current piece and the next two, so that writers have to make one only for late or backfilled time. */
    private static void ensurePiecesAhead(Connection c, Pieces pieces) throws SQLException {
        long now = pieces.pieceOf(System.currentTimeMillis() * 1000);
        pieces.ensure(c, List.of(now, now + 1, now + 2), false);
    }

    private void createPiecesAhead() {
        try (Connection c = pool.getConnection()) {
            ensurePiecesAhead(c, pieces);
        } catch (SQLException | RuntimeException e) {
            failed("creating hot pieces ahead", e);
        }
    }

    /** Seals the pieces, or on TimescaleDB the chunks, that are due (run every 10 s on its own thread; tests call it directly). */
    public int sealDue() {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            long now = System.currentTimeMillis() * 1000;
            if (sealer == null) {
                return chunks.sealDue(c, now);
            }
            try (Connection reader = pool.getConnection()) {
                reader.setAutoCommit(true);
                return sealer.sealDue(c, reader, now);
            }
        } catch (SQLException | RuntimeException e) {
            failed("sealing", e);
            return 0;
        }
    }

    /** The head of the hot tier, or null (no memory given to it). */
    public Head head() {
        return head;
    }

    /** The hot tier's pieces, or null on TimescaleDB. */
    public Pieces pieces() {
        return pieces;
    }

    /** Where protocols publish samples: best effort or acknowledged. */
    public IngestPort ingest() {
        return ingest;
    }

    public SeriesRegistry registry() {
        return registry;
    }

    /** Whether the database answers, as writers and the probe last found. */
    public DatabaseHealth health() {
        return health;
    }

    public DataSource dataSource() {
        return pool;
    }

    public Schema.Flavor flavor() {
        return flavor;
    }

    public Partitions partitions() {
        return partitions;
    }

    /** The rollup refresh of plain PostgreSQL (run by maintenance every 30 s; tests call it directly). */
    public Rollups rollups() {
        return rollups;
    }

    /** Every day a sample may be accepted for has its partition before a writer needs it. */
    private void createPartitionsAhead() {
        try (Connection c = pool.getConnection()) {
            partitions.ensureWindow(c, System.currentTimeMillis() * 1000, cfg.retentionRaw().toNanos() / 1000,
                    cfg.partitionsAhead());
        } catch (SQLException | RuntimeException e) {
            failed("creating partitions ahead", e);
        }
    }

    /**
     * Forgets batch numbers of process starts that ended: a week is far longer than any writer
     * retries a batch, and this node's own numbers are never pruned while it runs.
     */
    private void pruneCommittedBatches() {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            int rows = committedBatches.prune(c, Duration.ofDays(7));
            if (rows > 0) {
                log.info("batch numbers of ended processes pruned [rows={}]", rows);
            }
        } catch (SQLException | RuntimeException e) {
            failed("pruning batch numbers", e);
        }
    }

    private void refreshRollups() {
        try (Connection c = pool.getConnection()) {
            rollups.refresh(c, java.time.Instant.now());
        } catch (SQLException | RuntimeException e) {
            failed("rollup refresh", e);
        }
    }

    /**
     * Rebuilds the indexes of days that are over; no new rebuild starts after a minute of a run
     * (one in progress finishes), so a backlog (a first start on old data) is worked off in turns.
     */
    private void compactClosedDays() {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            partitions.compactClosedDays(c, System.currentTimeMillis() * 1000, 60_000);
        } catch (SQLException | RuntimeException e) {
            failed("partition compaction", e);
        }
    }

    /** Plain PostgreSQL retention: whole raw partitions, then old 1-minute rollup rows. */
    private void applyRetention() {
        long now = System.currentTimeMillis() * 1000;
        try (Connection c = pool.getConnection()) {
            partitions.dropOlderThan(c, now - cfg.retentionRaw().toNanos() / 1000);
            int rows = Rollups.dropOlderThan(c, io.sluice.storage.query.Source.M1, now - cfg.retention1m().toNanos() / 1000);
            if (rows > 0) {
                log.info("retention removed 1m rollup rows [rows={}]", rows);
            }
        } catch (SQLException | RuntimeException e) {
            failed("retention", e);
        }
    }

    /**
     * A scheduled task failed. While Sluice runs that is worth a warning (it is retried at its next
     * run); once shutdown has stopped the schedule, only a task outlasting {@link #BACKGROUND_GRACE_MS}
     * fails, cut short by the pool's closing as intended, and it runs again after the next start.
     */
    private void failed(String task, Exception e) {
        if (stopping) {
            log.info("{} cut short by shutdown; it runs again after the next start [error={}]", task, e.toString());
        } else {
            log.warn("{} failed, will retry [error={}]", task, e.toString());
        }
    }

    /** At shutdown, scheduled database work under way gets this long to end before the pool closes under it. */
    public static final long BACKGROUND_GRACE_MS = 5_000;

    /** After the drain, writers get this long to end their last batch before shutdown goes on without them. */
    public static final long WRITER_GRACE_MS = 3_000;

    /** {@link #drain(Duration) Drains} the ring within {@code shutdown_timeout}. */
    public boolean drain() {
        return drain(cfg.shutdownTimeout());
    }

    /**
     * Drains the ring into the database: from now on nothing more is let into the ring, the
     * writers get {@code timeout} to write what it holds, then stop retrying (a batch that still
     * fails is dropped and counted) and get {@link #WRITER_GRACE_MS} more to end. Logs what was
     * left when that was not enough. The pool stays open ({@link #close()}). Only the first call
     * drains; later ones return its result.
     *
     * @return true when every sample in the ring was written (or refused by the database)
     */
    public synchronized boolean drain(Duration timeout) {
        if (drained != null) {
            return drained;
        }
        health.close(); // first: the pool closing is not an outage
        stopBackgroundWork();
        long t0 = System.nanoTime();
        long timeoutMs = timeout.toMillis();
        long slotsAtStart = ring.occupancy();
        // Writers that still fail when the time is up drop their batch (counted) instead of retrying.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeoutMs);
                writers.forEach(BatchWriter::halt);
                if (journal != null) {
                    journal.halt(); // a writer waiting for the flusher's room goes on; the journal keeps the rest
                }
            } catch (InterruptedException ignored) {
                // drained in time
            }
        }, "sluice-drain-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        boolean done = ring.drainAndStop(timeoutMs, TimeUnit.MILLISECONDS);
        long ringSamplesLeft = done ? 0 : ring.unconsumedSamples();
        // The ring stopping does not wait for its threads: each writer flushes its last batch in
        // onShutdown, and the pool must stay open until they have.
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITER_GRACE_MS);
        List<Integer> busy = new ArrayList<>();
        for (BatchWriter w : started ? writers : List.<BatchWriter>of()) {
            try {
                if (!w.awaitStopped(Math.max(0, (end - System.nanoTime()) / 1_000_000))) {
                    busy.add(w.index());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                busy.add(w.index());
            }
        }
        watchdog.interrupt();
        done &= busy.isEmpty();
        if (journal != null) {
            // After the writers: they hand it their last batches. What it cannot write stays journaled.
            try {
                long left = Math.max(WRITER_GRACE_MS, timeoutMs - (System.nanoTime() - t0) / 1_000_000);
                if (!journal.drain(left)) {
                    log.warn("journal flush did not finish before shutdown; the journal keeps the samples and the next"
                            + " start writes them [pendingSamples={}]", journal.pending());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (done) {
            log.info("ring drained [drained=true, slotsAtStart={}, ms={}]", slotsAtStart, ms);
        } else {
            // Nothing acknowledged is among these: a 2xx is only sent after its commit.
            log.error("ring drained [drained=false, slotsAtStart={}, ms={}]: samples left unwritten"
                    + " [ringSamplesLeft={}, writersStillWriting={}, drainTimeoutMs={}]",
                    slotsAtStart, ms, ringSamplesLeft, busy, timeoutMs);
        }
        drained = done;
        return done;
    }

    /**
     * Stops scheduling database work (rollups, partitions, retention, compaction, sealing). A run
     * under way goes on, so that it ends whole before the pool closes ({@link #close()}); it is not
     * interrupted (that would cut a wait for a connection short, never a statement).
     */
    private void stopBackgroundWork() {
        stopping = true;
        background.values().forEach(ScheduledThreadPoolExecutor::shutdown);
    }

    /**
     * Waits up to {@code graceMs} for the scheduled work under way to end (README "Shutdown"); what
     * still runs then is named in the log, and the pool's closing cuts it short.
     */
    private void awaitBackgroundWork(long graceMs) {
        long start = System.nanoTime();
        List<String> running = stillRunning(Math.min(100, graceMs)); // a run about to end needs no line
        if (running.isEmpty()) {
            return;
        }
        log.info("waiting for background database work to end before the pool closes [tasks={}, graceMs={}]",
                running, graceMs);
        running = stillRunning(graceMs - (System.nanoTime() - start) / 1_000_000);
        if (!running.isEmpty()) {
            log.info("background database work still running; the pool's closing cuts it short, and it runs again"
                    + " after the next start [tasks={}, waitedMs={}]", running, graceMs);
        }
    }

    /** The schedulers (by name) still running a task after waiting up to {@code waitMs} in all. */
    private List<String> stillRunning(long waitMs) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, waitMs));
        List<String> running = new ArrayList<>();
        background.forEach((name, e) -> {
            try {
                if (!e.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    running.add(name);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                running.add(name);
            }
        });
        return running;
    }

    /**
     * {@link #drain() Drains} the ring (unless done already), waits for the scheduled database
     * work under way ({@link #BACKGROUND_GRACE_MS} at most), then closes the connection pool.
     */
    @Override
    public void close() {
        drain();
        awaitBackgroundWork(BACKGROUND_GRACE_MS);
        pool.close();
        if (local != null) {
            local.closeWritten();
        }
    }

    /**
     * Stops as a {@code kill -9} would leave things, as far as the database and the journal can
     * tell: the flusher and writers stop retrying and take nothing more, the local journal's lock
     * is let go with its files as they are, and the pool closes without draining. For tests of
     * recovery; the ring's threads are left (its writers fail what they still get).
     */
    public void abandon() {
        stopBackgroundWork();
        health.close();
        writers.forEach(BatchWriter::halt);
        if (journal != null) {
            journal.halt();
        }
        if (local != null) {
            local.close();
        }
        pool.close();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
