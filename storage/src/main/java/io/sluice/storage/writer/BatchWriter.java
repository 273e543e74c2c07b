package io.sluice.storage.writer;

import com.lmax.disruptor.EventHandler;
import com.zaxxer.hikari.HikariDataSource;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.Partitions;
import io.sluice.storage.db.Pieces;
import io.sluice.storage.head.Head;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.db.SqlStates;
import io.sluice.storage.log.RateLimitedLog;
import io.sluice.storage.query.RollupInvalidations;
import io.sluice.storage.ring.SampleEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One writer thread: takes its share of the ring, gathers a batch, and lands it with one binary
 * COPY in one transaction; only then are the HTTP requests whose samples it held acknowledged
 * (group commit: many requests share one COPY).
 *
 * <p>Its share: the slots whose {@link SampleEvent#unit} falls to it, so every slot of one
 * acknowledged request comes to the same writer, and a batch is only ever committed at a
 * request boundary: a request is committed whole, in one transaction, or not at all (README,
 * "What an answer guarantees").
 *
 * <p>A partial batch lingers ({@link WriterConfig#lingerMs}) to grow, which suits UDP; but once
 * it holds the end of an acknowledged request the writer commits at the next pause in the ring:
 * lingering then only delays a client that is waiting. Under load the batch still grows by
 * itself, from what arrives while the previous COPY runs.
 *
 * <p>A failed batch is retried with exponential backoff. Connection failures (the database
 * down) are retried until it returns, holding the ring back, so producers see a full ring and
 * shed load (UDP drops, HTTP 503) while the process stays up. Other failures are retried a few
 * times, then the batch is dropped, counted, and its requests answered with the error. Between
 * attempts a request whose client stopped waiting is withdrawn and left out.
 *
 * <p>A value the database refuses (SQLSTATE class 22 or 23) is the request's own: the request
 * holding the row the error names is refused (nothing of it stored, README "Answers") and the
 * rest of the batch written again at once; a best-effort row is left out alone. When the error
 * names no row (a deferred constraint refusing at COMMIT), the requests are written again one by
 * one, each in its own transaction, so the refusal falls on its own request.
 *
 * <p>With {@code write_ack = journal} the transaction inserts one {@code sluice_journal} row
 * holding the batch's samples instead of their blocks (README, "What an answer guarantees"); once
 * it committed and the requests are answered, the samples go to the {@link JournalFlusher}, which
 * writes them behind as wider blocks and records the late ones for the rollups.
 *
 * <p>Only a COMMIT that went unanswered (the connection lost) leaves the outcome unknown; a
 * COMMIT PostgreSQL answers with an error has rolled back (PostgreSQL manual, COMMIT: an error
 * before the commit record aborts the transaction).
 */
public final class BatchWriter implements EventHandler<SampleEvent> {
    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);
    private static final int NON_TRANSIENT_ATTEMPTS = 3;
    /** Requests or rows one batch may lose to refused values before it fails as a whole (each costs an attempt). */
    static final int MAX_REFUSALS = 64;
    private static final RateLimitedLog refusals = new RateLimitedLog(log, 10_000);
    private static final RateLimitedLog isolations = new RateLimitedLog(log, 10_000);
    private static final RateLimitedLog appendFailures = new RateLimitedLog(log, 10_000);

    private final int index;
    private final WriterConfig cfg;
    private final DataSource pool;
    private final SeriesRegistry registry;
    private final Partitions partitions;
    /** The hot tier's pieces (plain PostgreSQL), or null. */
    private final Pieces pieces;
    /** Committed samples go here too (the head of the hot tier), or null. */
    private final Head head;
    private final WriterMetrics metrics;
    /** Blocks into the hot tier on plain PostgreSQL, rows into the hypertable on TimescaleDB. */
    private final CopyEncoder encoder;
    private final WriterBatch batch;

    private final CommittedBatches committedBatches;
    /** This writer's number for the batch it holds, recorded with its commit; counts up from 1. */
    private long batchNumber = 1;
    /** A COMMIT of the batch went unanswered: until an attempt finds out, its requests stay claimed. */
    private boolean outcomeUnknown;
    /**
     * The last batch given up on with its COMMIT unanswered, until this writer learns how it
     * ended: in the transaction recording its next number, before that number hides the answer.
     */
    private UnknownCommit givenUp;
    /** Rows the last attempt sent to COMMIT. */
    private int attemptRows;
    /** The current attempt sent COMMIT and got no answer: it may have committed. */
    private boolean commitUnanswered;
    private final RollupInvalidations late;
    /**
     * The attempt that committed recorded its rows older than this in the invalidation log (none
     * without a log): the head need not name their minutes to the rollup refresh again.
     */
    private long loggedBefore = Long.MIN_VALUE;

    private long firstAtNanos;
    /** The batch holds the end of a request someone waits on. */
    private boolean requestEnded;

    /** With {@code write_ack = journal}: where committed journal rows' samples go to be written; else null. */
    private final JournalFlusher journal;
    private final JournalPayload payload;
    /** The rows the last journal row holds, and its id: handed to the flusher once committed. */
    private int[] journalRows = new int[0];
    private int journalCount;
    private long journalId;
    /** With {@code write_ack = local}: the journal files (this writer's is opened at its first record); else null. */
    private final LocalJournal local;
    private JournalFile file;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean halted;
    private volatile long lastFailureLogNanos;

    /**
     * @param late    where batches record the time ranges of late and backfilled samples for the
     *                rollups (README, rollups), in the same transaction; null on TimescaleDB
     * @param journal with {@code write_ack = journal}: a batch commits one journal row instead of
     *                its samples, which this flusher writes afterwards; null: the samples themselves
     * @param local   with {@code write_ack = local}: a batch is a record synced to this writer's journal
     *                file instead of a journal row (no transaction unless a series or day is new); else null
     */
    public BatchWriter(int index, WriterConfig cfg, DataSource pool, SeriesRegistry registry,
                       Partitions partitions, Pieces pieces, Head head, CommittedBatches committedBatches,
                       WriterMetrics metrics, RollupInvalidations late, JournalFlusher journal, LocalJournal local) {
        if (local != null && journal == null) {
            throw new IllegalArgumentException("a local journal needs a flusher");
        }
        this.journal = journal;
        this.local = local;
        this.payload = journal == null ? null : new JournalPayload();
        this.pieces = pieces;
        this.head = head;
        this.index = index;
        this.committedBatches = committedBatches;
        this.cfg = cfg;
        this.pool = pool;
        this.registry = registry;
        this.partitions = partitions;
        this.metrics = metrics;
        this.late = late;
        this.encoder = new CopyEncoder(CopyEncoder.BUFFER_BYTES, pieces != null);
        // A batch reaches batchSize, then takes at most one more slot (or the rest of a request).
        this.batch = new WriterBatch(cfg.batchSize() + SampleEvent.CAPACITY);
    }

    @Override
    public void onEvent(SampleEvent e, long sequence, boolean endOfBatch) {
        if (Math.floorMod(e.unit, cfg.writers()) == index) {
            if (batch.size() == 0) {
                firstAtNanos = System.nanoTime();
            }
            batch.append(e);
            requestEnded |= e.endsRequest;
        }
        if (batch.size() > 0 && !batch.open()
                && (batch.size() >= cfg.batchSize() || (endOfBatch && (requestEnded || aged())))) {
            flush();
        }
    }

    @Override
    public void onTimeout(long sequence) {
        if (batch.size() > 0 && !batch.open() && aged()) {
            flush();
        }
    }

    @Override
    public void onShutdown() {
        try {
            // Only a halted ring stops between a request's slots; that request never came whole.
            int dropped = batch.dropOpen("shutting down before the whole request reached a writer; nothing of it was stored");
            metrics.droppedShutdown.add(dropped);
            if (batch.size() > 0) {
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

    /** Which writer this is (0-based), for log lines. */
    public int index() {
        return index;
    }

    /** Stops retrying: a batch still failing is dropped and counted. Used when shutdown times out. */
    public void halt() {
        halted = true;
    }

    private boolean aged() {
        return cfg.lingerMs() == 0 || System.nanoTime() - firstAtNanos >= cfg.lingerMs() * 1_000_000;
    }

    private void flush() {
        long backoff = 10;
        int nonTransientFailures = 0;
        int refused = 0;
        while (true) {
            long t0 = System.nanoTime();
            try {
                int stored = writeOnce();
                metrics.health.succeeded();
                if (stored > 0) {
                    metrics.writeSeconds.observe((System.nanoTime() - t0) / 1e9);
                    metrics.batches.inc();
                    metrics.batchRows.observe(stored);
                    metrics.written.add(stored);
                }
                if (head != null) {
                    // Stored now or by the attempt whose COMMIT went unanswered; before any request
                    // is answered: once a client has its 204, the head holds its rows.
                    batch.appendStored(head, loggedBefore);
                }
                batch.committed();
                if (journal != null && journalCount > 0) {
                    // Answered already; the flusher writes the samples (waiting here while it is full).
                    journal.offer(journalId, journalRows, journalCount, batch.seriesIds, batch.times, batch.values,
                            batch.steps);
                    journalCount = 0;
                }
                if (batch.isolating() && batch.isolate()) {
                    // That unit is stored; the next one gets its own transaction and number.
                    batchNumber++;
                    continue;
                }
                finish();
                return;
            } catch (JournalAppendFailed ex) {
                // Nothing of the record is in the file: nothing of the batch is stored.
                metrics.failedBatches.inc();
                metrics.localIoErrors.inc();
                batch.release();
                journalCount = 0;
                String broken = file == null ? null : file.broken();
                if (broken != null) {
                    metrics.health.halted("writer " + index + "'s journal file: " + broken);
                }
                appendFailures.warn("journal file append failed; its requests answered 503, nothing of them stored"
                        + " [writer={}, rows={}, halted={}, error={}]", index, batch.size(), broken != null,
                        ex.getCause().toString());
                metrics.droppedWriteFailed.add(batch.size() - batch.answeredRows());
                batch.unavailableAll("the journal file could not be written; nothing of this request was stored");
                finish();
                return;
            } catch (SQLException | RuntimeException ex) {
                metrics.failedBatches.inc();
                // A refused value, when the attempt surely rolled back.
                boolean clientData = !commitUnanswered && !outcomeUnknown && refused < MAX_REFUSALS
                        && ex instanceof SQLException sql && SqlStates.isClientData(sql);
                // Before the release: the rows the COPY held are the claimed ones.
                int refusedRow = clientData ? batch.rowOfCopy(encoder.failedRow((SQLException) ex)) : -1;
                if (commitUnanswered) {
                    // The COMMIT may have happened: the next attempt finds out before writing again.
                    outcomeUnknown = true;
                } else if (!outcomeUnknown) {
                    batch.release();
                    journalCount = 0;
                }
                if (clientData) {
                    refused++;
                    if (refuse((SQLException) ex, refusedRow)) {
                        if (batch.isolating() && !batch.isolate()) {
                            finish();
                            return;
                        }
                        continue;
                    }
                    if (batch.isolate()) {
                        isolations.warn("the database refused the batch without naming a row; writing its requests again"
                                + " one by one to find the refused one [writer={}, rows={}, sqlState={}, error={}]",
                                index, batch.size(), SqlStates.of((SQLException) ex), ex.getMessage());
                        continue;
                    }
                }
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
                    UnknownCommit unknown = null;
                    if (outcomeUnknown) {
                        reason += "; a commit of it went unanswered, so it is stored whole or not at all";
                        unknown = new UnknownCommit(committedBatches, pool, index, batchNumber);
                        givenUp = unknown;
                    }
                    log.error("batch dropped [writer={}, rows={}, reason={}]", index, batch.size(), reason, ex);
                    (halted ? metrics.droppedShutdown : metrics.droppedWriteFailed).add(batch.size() - batch.answeredRows());
                    batch.failAll(reason, unknown);
                    finish();
                    return;
                }
                metrics.retries.inc();
                logFailure(ex, backoff);
                sleep(backoff);
                backoff = Math.min(cfg.maxBackoffMs(), backoff * 2);
            }
        }
    }

    /**
     * Takes out of the batch what the database refused: the request holding {@code row}, or the
     * row alone when it is best-effort; with no row named, the unit an isolated attempt wrote
     * alone, or the batch's only request.
     *
     * @return false when the refused part is not known (the batch must be isolated)
     */
    private boolean refuse(SQLException e, int row) {
        int focus = batch.focus();
        int run = row >= 0 ? batch.runOf(row) : focus != WriterBatch.WHOLE ? focus : batch.soleRun();
        boolean bestEffort = row < 0 && focus == WriterBatch.BEST_EFFORT;
        if (run < 0 && row < 0 && !bestEffort) {
            return false;
        }
        int rows;
        if (run >= 0) {
            rows = batch.runRows(run);
        } else if (bestEffort) {
            // Written alone, the best-effort rows were refused together, none named: all are left out.
            rows = batch.skipBestEffort();
        } else {
            rows = batch.skipRefused(row);
            if (rows == 0) {
                return true; // its block is written again a sample a block: the next attempt names the refused one
            }
        }
        String state = SqlStates.of(e);
        String id = refusals.warnWithId("the database refused a value; its request is refused, the rest of the batch"
                + " written again [errorId={}, writer={}, sqlState={}, rows={}, error={}]", index, state, rows, e.getMessage());
        if (run >= 0) {
            batch.refuse(run, "the database refused a value of this request (SQLSTATE " + state
                    + "); nothing of it was stored; error id " + id);
        }
        metrics.droppedRefused.add(rows);
        return true;
    }

    private void finish() {
        journalCount = 0;
        metrics.droppedWithdrawn.add(batch.withdrawnRows());
        batch.reset();
        requestEnded = false;
        outcomeUnknown = false;
        batchNumber++;
    }

    /**
     * Resolves new series, makes sure partitions exist, records the batch's number, then COPY and
     * commit. Returns the rows stored: now, or by an earlier attempt whose COMMIT went unanswered.
     */
    private int writeOnce() throws SQLException {
        commitUnanswered = false;
        if (local != null) {
            return appendLocal();
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                resolveAndPartition(c);
                if (givenUp != null) {
                    givenUp.learn(committedBatches.committed(c, index, givenUp.batch()));
                    givenUp = null;
                }
                if (!committedBatches.record(c, index, batchNumber)) {
                    c.rollback();
                    return settleUnknown(true);
                }
                if (outcomeUnknown) {
                    settleUnknown(false);
                }
                int rows = batch.claim();
                if (rows > 0 && journal != null) {
                    journalId = insertJournal(c);
                    if (late != null) {
                        // Not recorded here: the flusher records at least these (its clock is later) once
                        // the samples are in, so a refresh never reads their minutes before them.
                        loggedBefore = System.currentTimeMillis() * 1000 - RollupInvalidations.LIVE_WINDOW_MICROS;
                    }
                } else if (rows > 0) {
                    encoder.begin(c);
                    batch.encode(encoder, pieces == null ? Long.MAX_VALUE : pieces.pieceMicros());
                    encoder.end();
                    if (late != null) {
                        long now = System.currentTimeMillis() * 1000;
                        late.record(c, batch.times, batch.seriesIds, batch.size, now);
                        loggedBefore = now - RollupInvalidations.LIVE_WINDOW_MICROS;
                    }
                }
                attemptRows = rows;
                try {
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    // Answered with an error, the COMMIT rolled back; unanswered, it may have committed.
                    commitUnanswered = !(e instanceof SQLException sql) || SqlStates.isUnanswered(sql);
                    throw e;
                }
                return rows;
            } catch (SQLException | RuntimeException e) {
                abandon(pool, c, encoder, e);
                throw e;
            }
        }
    }

    /**
     * {@code write_ack = local}: resolves new series and makes missing days (the only database work,
     * and only when there is some), then appends the claimed rows as one record to this writer's
     * journal file and syncs it. Returns the rows stored.
     *
     * @throws JournalAppendFailed the record is not in the file (cut away again)
     */
    private int appendLocal() throws SQLException {
        if (batch.hasNewKeys() || (!cfg.timescale() && !partitions.coversDaysOf(batch.times, batch.size()))) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    resolveAndPartition(c);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    abandon(pool, c, encoder, e);
                    throw e;
                }
            }
        }
        int rows = batch.claim();
        attemptRows = rows;
        if (rows == 0) {
            return 0;
        }
        encodeJournal();
        try {
            if (file == null) {
                file = local.writer(index);
            }
            long began = System.nanoTime();
            journalId = file.append(payload.bytes(), payload.length());
            metrics.localSyncSeconds.observe((System.nanoTime() - began) / 1e9);
        } catch (java.io.IOException e) {
            throw new JournalAppendFailed(e);
        }
        metrics.localRecords.inc();
        metrics.localBytes.add(payload.length() + JournalFile.HEADER);
        if (late != null) {
            // As with a journal row: the flusher records at least these once the samples are in.
            loggedBefore = System.currentTimeMillis() * 1000 - RollupInvalidations.LIVE_WINDOW_MICROS;
        }
        return rows;
    }

    /** An append to the journal file failed; nothing of the record is in it. */
    private static final class JournalAppendFailed extends RuntimeException {
        JournalAppendFailed(java.io.IOException cause) {
            super(cause);
        }
    }

    /** Encodes the claimed rows as a journal payload; {@link #journalRows} then names them for the flusher. */
    private void encodeJournal() {
        if (journalRows.length < batch.size()) {
            journalRows = new int[Math.max(batch.size(), journalRows.length * 2)];
        }
        journalCount = batch.written(journalRows);
        if (head != null) {
            batch.groupWritten(journalRows, journalCount);
        }
        payload.encode(journalRows, journalCount, batch.seriesIds, batch.times, batch.values, batch.steps);
    }

    /**
     * After a failed attempt on {@code c}: cancels a COPY left open, then rolls back, or evicts
     * the connection when it failed: the COPY ran on the unwrapped connection, so HikariCP did not
     * see it fail and would hand the dead connection out again.
     */
    static void abandon(DataSource pool, Connection c, CopyEncoder encoder, Exception e) {
        encoder.abort();
        if (e instanceof SQLException sql && isTransient(sql) && pool instanceof HikariDataSource h) {
            h.evictConnection(c);
        } else {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the pool validates it before handing it out again
            }
        }
    }

    /**
     * Inserts the journal row holding the claimed rows (README, {@code write_ack = journal});
     * {@link #journalRows} then names them for the flusher.
     *
     * @return the row's id
     */
    private long insertJournal(Connection c) throws SQLException {
        encodeJournal();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sluice_journal (node, payload) VALUES (?, ?) RETURNING id")) {
            ps.setObject(1, committedBatches.node());
            ps.setBinaryStream(2, new ByteArrayInputStream(payload.bytes(), 0, payload.length()), payload.length());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * An attempt learnt how the unanswered COMMIT ended. Committed: its claimed requests are
     * stored (the caller answers them). Rolled back: they are released, and requests withdrawn
     * meanwhile drop out before the next claim.
     *
     * @return rows that commit stored
     */
    private int settleUnknown(boolean committed) {
        outcomeUnknown = false;
        (committed ? metrics.unknownCommitted : metrics.unknownRolledBack).inc();
        log.info("a COMMIT that went unanswered {} [writer={}, batch={}, rows={}]",
                committed ? "had committed: not written again" : "had rolled back: writing again",
                index, batchNumber, attemptRows);
        if (committed) {
            return attemptRows;
        }
        journalCount = 0;
        batch.release();
        return 0;
    }

    private void resolveNewSeries(Connection c) throws SQLException {
        int[] seriesIds = batch.seriesIds;
        SeriesKey[] newKeys = batch.newKeys;
        int size = batch.size();
        Map<SeriesKey, Integer> wanted = null;
        for (int i = 0; i < size; i++) {
            if (seriesIds[i] != SampleEvent.UNRESOLVED || newKeys[i] == null) {
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
            if (seriesIds[i] != SampleEvent.UNRESOLVED || newKeys[i] == null) {
                continue;
            }
            int id = ids[wanted.get(newKeys[i])];
            newKeys[i] = null;
            if (id != SeriesRegistry.UNKNOWN) {
                seriesIds[i] = id;
                continue;
            }
            // A request is stored whole or not at all: one unregistrable series fails all of it.
            int run = batch.runOf(i);
            if (run < 0) {
                unresolved++;
            } else if (batch.fail(run, "a series of the request could not be registered; nothing of it was stored")) {
                unresolved += batch.runRows(run);
            }
        }
        if (unresolved > 0) {
            metrics.droppedUnresolved.add(unresolved);
            log.warn("samples dropped: series could not be resolved [writer={}, samples={}]", index, unresolved);
        }
    }

    /** New series get their ids, missing days their partitions (plain PostgreSQL). */
    private void resolveAndPartition(Connection c) throws SQLException {
        resolveNewSeries(c);
        if (!cfg.timescale()) {
            ensurePartitions(c);
        }
    }

    private void ensurePartitions(Connection c) throws SQLException {
        partitions.ensureDaysOf(c, batch.times, batch.size());
        // Pieces are not the writers' concern: samples go to the hot blocks, and the sealer puts
        // them into their piece (README, "Hot tier and head"). The day must exist for that.
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
                    index, batch.size(), backoffMs, ex.toString());
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
