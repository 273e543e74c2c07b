package io.sluice.storage.writer;

import io.sluice.storage.db.Partitions;
import io.sluice.storage.db.Pieces;
import io.sluice.storage.head.Head;
import io.sluice.storage.query.RollupInvalidations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Writes the journal rows other process starts left (README, "What an answer guarantees",
 * {@code write_ack = journal}): a process killed between a journal commit and its flush, or one
 * whose shutdown could not reach the database. Run once at start, before the head is loaded and
 * the writers run (every row is another start's then: a node's id is new each start), and then
 * every minute for rows at least a minute old, so a node that stopped for good is written by the
 * nodes left. Each batch of rows goes through the flusher's transaction ({@link JournalWriter}):
 * its {@code DELETE ... RETURNING} decides who writes a row, so two nodes recovering together,
 * or a recovery and the flusher of a node still alive, never write one twice.
 */
public final class JournalRecovery {
    private static final Logger log = LoggerFactory.getLogger(JournalRecovery.class);

    private final DataSource pool;
    private final UUID node;
    private final JournalWriter writer;
    private final Head head;
    private final WriterMetrics metrics;
    private final int maxSamples;
    private final JournalBatch batch;

    public JournalRecovery(DataSource pool, UUID node, JournalConfig cfg, Partitions partitions, Pieces pieces, Head head,
                           RollupInvalidations late, WriterMetrics metrics) {
        this.pool = pool;
        this.node = node;
        this.head = head;
        this.metrics = metrics;
        this.maxSamples = cfg.flushSamples();
        // Grown to what it reads (up to the bound) and shrunk back after: usually nothing is read.
        this.batch = new JournalBatch(1_024);
        this.writer = new JournalWriter("journal-recovery", pool, partitions, pieces, head, late, metrics, null);
    }

    /**
     * Writes every journal row of other process starts at least {@code minAge} old.
     *
     * @param toHead also hand what it wrote to the head (a head loaded before: not at start)
     * @param stop   says when to give up retrying a write (shutdown); the journal keeps the rows
     * @return samples written
     * @throws SQLException when the rows cannot be read (the database is down); writing them is
     *                      retried until it succeeds
     */
    public synchronized long recover(Duration minAge, boolean toHead, BooleanSupplier stop) throws SQLException {
        long rows = 0;
        long samples = 0;
        long after = Long.MIN_VALUE;
        while (true) {
            batch.clear();
            int read = 0;
            try (Connection c = pool.getConnection()) {
                // A cursor (autocommit off, a fetch size): rows come one at a time, and reading stops at the bound.
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("SELECT id, payload FROM sluice_journal WHERE node <> ?"
                        + " AND written_at <= now() - make_interval(secs => ?) AND id > ? ORDER BY id")) {
                    ps.setFetchSize(1);
                    ps.setObject(1, node);
                    ps.setDouble(2, minAge.toMillis() / 1000.0);
                    ps.setLong(3, after);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (batch.size() < maxSamples && rs.next()) {
                            long id = rs.getLong(1);
                            after = id;
                            read++;
                            try {
                                batch.addPayload(id, rs.getBytes(2));
                            } catch (IllegalArgumentException e) {
                                // Left in place for whoever can read it; said at every run.
                                log.error("journal row not readable, left in the table [id={}, error={}]", id, e.getMessage());
                            }
                        }
                    }
                } finally {
                    c.rollback();
                }
            }
            if (read == 0) {
                break;
            }
            if (batch.isEmpty()) {
                continue;
            }
            if (!writer.write(batch, stop)) {
                break;
            }
            int written = batch.liveSamples();
            if (toHead && head != null && written > 0) {
                head.append(batch.seriesIds, batch.times, batch.values, 0, batch.size(), writer.loggedBefore());
            }
            rows += batch.liveIds().length;
            samples += written;
        }
        batch.clear();
        if (rows > 0) {
            metrics.journalRecovered.add(samples);
            log.info("journal rows of other process starts written [rows={}, samples={}]", rows, samples);
        }
        return samples;
    }
}
