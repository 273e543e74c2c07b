package io.sluice.storage.writer;

import io.sluice.storage.db.Partitions;
import io.sluice.storage.db.Pieces;
import io.sluice.storage.db.SqlStates;
import io.sluice.storage.head.Head;
import io.sluice.storage.log.RateLimitedLog;
import io.sluice.storage.query.RollupInvalidations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Writes journaled samples where queries find them, in one transaction per {@link JournalBatch}
 * (README, "What an answer guarantees", {@code write_ack = journal}): the journal rows are
 * claimed first with {@code DELETE ... RETURNING id}, then the samples go by binary COPY as wide
 * blocks (or rows on TimescaleDB), late ones are recorded for the rollups, and the commit makes
 * all of it visible at once.
 *
 * <p>The DELETE decides who writes a journal row, so a row is written once however many
 * processes try (the flusher of the node that journaled it, another node's or the next start's
 * recovery): a row already gone was written by whoever deleted it, and a row another transaction
 * is deleting makes this one wait for its end, then skip it (PostgreSQL manual, "Transaction
 * Isolation", Read Committed). Finding fewer rows than it holds, the attempt rolls back, leaves
 * the missing rows' samples out and writes the rest again. The same settles a COMMIT that went
 * unanswered: the next attempt finds the rows gone if it committed.
 *
 * <p>Failures are retried with backoff until the database takes the samples (they are
 * acknowledged already: the journal keeps them meanwhile). A value the database refuses
 * (SQLSTATE class 22 or 23, naming its COPY row) cannot be refused to its client any more: the
 * block holding it is left out, counted and logged with an error id, and the rest written. One
 * that names no row (a deferred constraint refusing at COMMIT) makes it write one journal row a
 * transaction; a row refused alone is left out whole, counted and logged the same way.
 */
final class JournalWriter {
    private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
    private static final RateLimitedLog refusals = new RateLimitedLog(log, 10_000);
    private static final RateLimitedLog failures = new RateLimitedLog(log, 10_000);
    /**
     * Samples of one block at most. PostgreSQL's cost of a block row is mostly per row (~1.2 us,
     * against ~0.08 a sample in it); measured with 250-row COPY statements: 5 samples a block
     * 0.23 us a sample, 50 0.065, 100 0.055, 120 0.054; at 200 the arrays pass the ~2 kB TOAST
     * threshold and cost 0.29 (docs/BENCHMARKS.md, "Round 7: acknowledged on a journal commit").
     */
    static final int BLOCK_SAMPLES = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final String name;
    private final DataSource pool;
    private final Partitions partitions;
    private final Pieces pieces;
    private final Head head;
    private final RollupInvalidations late;
    private final WriterMetrics metrics;
    private final CopyEncoder encoder;
    /** {@code write_ack = local}: the journal files' marks, moved instead of deleting journal rows; else null. */
    private final JournalMarks marks;
    /** The last committed attempt recorded its samples older than this for the rollups. */
    private long loggedBefore = Long.MIN_VALUE;
    private boolean commitUnanswered;

    /**
     * @param partitions plain PostgreSQL's day partitions (the sealer needs the day), or null on TimescaleDB
     * @param pieces     plain PostgreSQL's hot pieces (blocks are cut at them), or null: rows into the hypertable
     * @param late       the rollups' invalidation log, or null (TimescaleDB keeps its own)
     * @param marks      {@code write_ack = local}: the batches' ids are local journal positions, and the
     *                   transaction moves these marks past them; null: ids of {@code sluice_journal} rows
     */
    JournalWriter(String name, DataSource pool, Partitions partitions, Pieces pieces, Head head,
                  RollupInvalidations late, WriterMetrics metrics, JournalMarks marks) {
        this.name = name;
        this.marks = marks;
        this.pool = pool;
        this.partitions = partitions;
        this.pieces = pieces;
        this.head = head;
        this.late = late;
        this.metrics = metrics;
        this.encoder = new CopyEncoder(CopyEncoder.BUFFER_BYTES, pieces != null);
    }

    /** What the last committed attempt recorded for the rollups: its samples older than this. */
    long loggedBefore() {
        return loggedBefore;
    }

    /**
     * Writes the batch's samples, retrying until they are written (or left out: written by
     * another, refused) or {@code halted} says to stop (the journal keeps them then).
     *
     * @return true when nothing of the batch is left to write
     */
    boolean write(JournalBatch batch, BooleanSupplier halted) {
        long backoff = 10;
        while (true) {
            try {
                int stored = writeOnce(batch);
                if (stored >= 0) {
                    metrics.health.succeeded();
                    if (stored > 0) {
                        metrics.journalFlushed.add(stored);
                        metrics.journalFlushes.inc();
                    }
                    if (batch.isolating()) {
                        batch.settleFocus();
                        if (batch.isolating()) {
                            continue;
                        }
                    }
                    return true;
                }
                // Some rows were written by another: the rest at once.
            } catch (SQLException | RuntimeException ex) {
                if (!commitUnanswered && ex instanceof SQLException sql && SqlStates.isClientData(sql)) {
                    int left = batch.leaveOut(encoder.failedRow(sql));
                    if (left > 0) {
                        metrics.journalRefused.add(left);
                        refusals.warnWithId("the database refused a value of acknowledged samples the journal held;"
                                + " their block is left out, the rest written [errorId={}, flusher={}, sqlState={},"
                                + " samples={}, error={}]", name, SqlStates.of(sql), left, sql.getMessage());
                        continue;
                    }
                    if (batch.isolating()) {
                        // Refused alone, naming no row: that journal row's samples are left out together,
                        // and the row goes (kept, every recovery would try it again).
                        forget(batch.liveIds()[0]);
                        left = batch.settleFocus();
                        metrics.journalRefused.add(left);
                        refusals.warnWithId("the database refused acknowledged samples of one journal row without naming"
                                + " a row (a deferred constraint); they are left out, the rest written [errorId={},"
                                + " flusher={}, sqlState={}, samples={}, error={}]", name, SqlStates.of(sql), left,
                                sql.getMessage());
                        if (!batch.isolating()) {
                            return true;
                        }
                        continue;
                    }
                    if (batch.isolate()) {
                        // Named no row (at COMMIT): one journal row a transaction finds the refused one.
                        continue;
                    }
                }
                if (ex instanceof SQLException sql && SqlStates.isUnreachable(sql)) {
                    metrics.health.failed(ex);
                }
                if (halted.getAsBoolean()) {
                    log.warn("journal flush stopped before the database took it; the journal keeps the samples and"
                            + " the next start writes them [flusher={}, samples={}, error={}]", name, batch.liveSamples(),
                            ex.toString());
                    return false;
                }
                metrics.journalRetries.inc();
                failures.warn("journal flush failed, retrying; the journal keeps the samples meanwhile [flusher={},"
                        + " samples={}, backoffMs={}, error={}]", name, batch.liveSamples(), backoff, ex.toString());
                BatchWriter.sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    /**
     * One attempt.
     *
     * @return samples committed, or -1 when some journal rows were gone (left out now; write again)
     */
    private int writeOnce(JournalBatch batch) throws SQLException {
        commitUnanswered = false;
        long[] ids = batch.liveIds();
        if (ids.length == 0) {
            return 0;
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (partitions != null) {
                    // Before the DELETE: making a partition commits.
                    partitions.ensureDaysOf(c, batch.times, batch.size());
                }
                long[] kept = marks != null ? marks.unwritten(c, ids) : claim(c, ids);
                if (kept.length < ids.length) {
                    c.rollback();
                    int dropped = batch.keepOnly(kept);
                    metrics.journalTaken.add(ids.length - kept.length);
                    log.info("journal {} already written (by another process's recovery, or by an attempt whose"
                            + " COMMIT went unanswered): left out [flusher={}, rows={}, samples={}]",
                            marks != null ? "records" : "rows", name, ids.length - kept.length, dropped);
                    return -1;
                }
                long[] marked = marks != null ? marks.advance(c, kept) : null;
                int samples = batch.liveSamples();
                if (samples > 0) {
                    encoder.begin(c);
                    batch.encode(encoder, pieces == null ? Long.MAX_VALUE : pieces.pieceMicros(), BLOCK_SAMPLES);
                    encoder.end();
                }
                long threshold = Long.MIN_VALUE;
                if (late != null) {
                    threshold = System.currentTimeMillis() * 1000 - RollupInvalidations.LIVE_WINDOW_MICROS;
                    long minutesFrom = head == null ? Long.MAX_VALUE : head.minutesFrom();
                    if (minutesFrom != Long.MAX_VALUE) {
                        // A sample below the head's aggregates had its minute named to the refresh when
                        // journaled; the refresh may have read the raw samples before these were in.
                        threshold = Math.max(threshold, minutesFrom);
                    }
                    late.recordOlderThan(c, batch.times, batch.seriesIds, batch.size(), threshold);
                }
                try {
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    commitUnanswered = !(e instanceof SQLException sql) || SqlStates.isUnanswered(sql);
                    throw e;
                }
                loggedBefore = threshold;
                if (marked != null) {
                    marks.committed(marked);
                }
                return samples;
            } catch (SQLException | RuntimeException e) {
                BatchWriter.abandon(pool, c, encoder, e);
                throw e;
            }
        }
    }

    /**
     * Deletes a journal row whose samples the database refused, or with {@code write_ack = local}
     * moves its writer's mark past the record (isolated attempts go in journal order, so what
     * lies before it is settled); left for a later recovery if that fails.
     */
    private void forget(long id) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            if (marks != null) {
                marks.advance(c, new long[] {id});
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sluice_journal WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            log.warn("a refused journal row could not be deleted; a recovery will try it again [flusher={}, id={},"
                    + " error={}]", name, id, e.toString());
        }
    }

    /** Deletes the journal rows, returning those that were still there (sorted). */
    private static long[] claim(Connection c, long[] ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sluice_journal WHERE id = ANY(?) RETURNING id")) {
            Long[] boxed = new Long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                boxed[i] = ids[i];
            }
            Array a = c.createArrayOf("bigint", boxed);
            ps.setArray(1, a);
            long[] kept = new long[ids.length];
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    kept[n++] = rs.getLong(1);
                }
            }
            kept = Arrays.copyOf(kept, n);
            Arrays.sort(kept);
            return kept;
        }
    }
}
