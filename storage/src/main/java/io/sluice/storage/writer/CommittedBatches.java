package io.sluice.storage.writer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

/**
 * Makes a batch's commit idempotent. A COMMIT whose answer is lost (the
 * connection broke, the server was fast-stopped: 08xxx, 57P01) may or may not have happened.
 * Every batch therefore records its number in {@code sluice_write_batches} inside its own
 * transaction, and every attempt records it first: finding the number already there, the
 * attempt knows an earlier one committed and stops. If that earlier transaction is still in
 * progress on the server, the upsert waits for it to end, so the answer is never a guess.
 *
 * <p>Numbers are per writer and count up from 1 in each process start ({@code node}, a random
 * UUID), so they are unique across restarts and across nodes sharing a database.
 */
public final class CommittedBatches {
    /*
     * The same statement also bounds how long a transaction of a writer may sit idle: if a
     * COMMIT never reaches the server (the connection broke on the way), its transaction would
     * otherwise hold this row, and the next attempt wait on it, until TCP keepalives noticed
     * the dead client, by default two hours later.
     */
    private static final String RECORD = "INSERT INTO sluice_write_batches AS b (node, writer, batch)"
            + " SELECT ?, ?, ? FROM (SELECT set_config('idle_in_transaction_session_timeout', '60s', true)) s"
            + " ON CONFLICT (node, writer) DO UPDATE SET batch = EXCLUDED.batch, committed_at = now()"
            + " WHERE b.batch < EXCLUDED.batch";

    private final UUID node;

    public CommittedBatches(UUID node) {
        this.node = node;
    }

    public UUID node() {
        return node;
    }

    /**
     * Records batch {@code batch} of writer {@code writer} in the caller's transaction.
     *
     * @return true if the batch is not committed yet (this transaction now records it); false if
     *         an earlier attempt committed it
     */
    public boolean record(Connection c, int writer, long batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD)) {
            ps.setObject(1, node);
            ps.setInt(2, writer);
            ps.setLong(3, batch);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Whether batch {@code batch} of writer {@code writer} committed, in the caller's transaction,
     * holding the writer's row locked until it ends: a transaction still writing the row is waited
     * for, and the writer cannot record a later number meanwhile (which would hide this one's fate).
     * Numbers only grow, so the row holding this number or a later one means it committed, provided
     * the writer records no later number before it has learnt this one (it does not).
     */
    public boolean committed(Connection c, int writer, long batch) throws SQLException {
        // Inserting waits for a transaction inserting the same key (the writer's first batch);
        // the row locked then waits for one updating it.
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO sluice_write_batches (node, writer, batch)"
                + " VALUES (?, ?, 0) ON CONFLICT (node, writer) DO NOTHING");
             PreparedStatement sel = c.prepareStatement("SELECT batch FROM sluice_write_batches"
                     + " WHERE node = ? AND writer = ? FOR UPDATE")) {
            ins.setObject(1, node);
            ins.setInt(2, writer);
            ins.executeUpdate();
            sel.setObject(1, node);
            sel.setInt(2, writer);
            try (ResultSet rs = sel.executeQuery()) {
                return rs.next() && rs.getLong(1) >= batch;
            }
        }
    }

    /**
     * Deletes the rows of other process starts older than {@code keep}; this node's own rows
     * stay (a writer may still be retrying its last batch). Autocommit.
     *
     * @return rows deleted
     */
    public int prune(Connection c, Duration keep) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sluice_write_batches"
                + " WHERE node <> ? AND committed_at < now() - make_interval(secs => ?)")) {
            ps.setObject(1, node);
            ps.setLong(2, keep.toSeconds());
            return ps.executeUpdate();
        }
    }
}
