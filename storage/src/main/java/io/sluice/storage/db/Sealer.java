package io.sluice.storage.db;

import io.sluice.storage.head.Head;
import io.sluice.storage.log.RateLimitedLog;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.writer.CopyEncoder;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.TreeMap;

/**
 * Seals the hot tier's pieces (README, "Hot tier and head"). Writers COPY samples into
 * {@code samples_blocks}, a row per series per request; once a piece's time is over by
 * {@code delay} (late samples mostly arrived) one transaction copies that time's blocks out to
 * Sluice and their samples back in as rows of the piece sorted by {@code (series_id, time)}
 * ({@link BlockMerge}), so that one series' hour lies on a few pages, deletes the blocks, and
 * builds the piece's {@code (series_id, time DESC) INCLUDE (value)} index in one pass (a sort,
 * instead of one B-tree insert per row while it was written); then {@code VACUUM} sets the
 * piece's visibility map so reads are answered from the index alone.
 *
 * <p>Every sample is in a block or in a row, never both: the move is one transaction, so a seal
 * cut short (the process killed, the database restarted, the connection lost) rolls back whole
 * and loses or duplicates nothing; the next run does it again. Blocks committed while a seal
 * runs (late samples) are not in its snapshot and stay for the next run, which inserts them into
 * the sealed piece through its index. Blocks of a time with no piece (a backfill: no piece is
 * made for it, {@link Pieces#oldestWriterPiece}) go to their day's default partition.
 * After each run the head ({@link Head}) lets go of what the sealed pieces now answer.
 */
public final class Sealer {
    private static final Logger log = LoggerFactory.getLogger(Sealer.class);
    private static final RateLimitedLog failures = new RateLimitedLog(log, 60_000);
    /** The same key on every node: one node seals at a time. */
    private static final long LOCK_KEY = 0x51_75_69_63_65_00_00_06L;
    /** Removes the blocks of a time that were moved (in the seal's snapshot: those it read). */
    static final String DELETE_SQL = "DELETE FROM samples_blocks WHERE time_min >= ? AND time_min < ?";

    private final Pieces pieces;
    private final long delayMicros;
    private final Head head;
    private final Counter sealed;
    private final Counter moved;
    private final Counter sealMillis;

    public Sealer(Pieces pieces, long delayMicros, Head head, Metrics metrics) {
        this.pieces = pieces;
        this.delayMicros = delayMicros;
        this.head = head;
        this.sealed = metrics.counter("sluice_pieces_sealed_total", "Hot pieces given their index.");
        this.moved = metrics.counter("sluice_sealed_samples_total", "Samples the sealer moved from hot blocks into rows.");
        this.sealMillis = metrics.counter("sluice_seal_milliseconds_total",
                "Time spent sealing pieces (moving blocks into rows, index build and vacuum), in milliseconds.");
    }

    /**
     * Seals every piece of time that is due, oldest first: the pieces not yet sealed, and the time
     * of every block that is due (late samples for sealed pieces, backfill); then moves the head's
     * start to the oldest piece still hot.
     *
     * @param c      a connection in auto-commit mode
     * @param reader another, in auto-commit mode: it reads the blocks in {@code c}'s snapshot
     * @return pieces of time sealed or given their late blocks
     */
    public int sealDue(Connection c, Connection reader, long nowMicros) throws SQLException {
        if (!tryLock(c)) {
            return 0; // another node is sealing
        }
        int done = 0;
        boolean anySealed = false;
        try {
            long pieceMicros = pieces.pieceMicros();
            // A piece is due when its end is delay or more ago: its start is before this.
            long cutoff = pieces.pieceOf(nowMicros - delayMicros) * pieceMicros;
            TreeMap<Long, Pieces.Piece> due = new TreeMap<>();
            for (Pieces.Piece p : pieces.list(c)) {
                if (!p.sealed() && p.startMicros() < cutoff) {
                    due.put(p.startMicros(), p);
                }
            }
            for (long start : blockPieces(c, cutoff, pieceMicros)) {
                due.putIfAbsent(start, null);
            }
            long oldestMade = pieces.oldestWriterPiece(nowMicros);
            for (long start : due.keySet()) {
                try {
                    if (due.get(start) == null && pieces.pieceOf(start) >= oldestMade && !pieces.has(pieces.pieceOf(start))) {
                        // Late samples of the last hour get their piece, as the rest of that time did.
                        pieces.ensure(c, List.of(pieces.pieceOf(start)), true);
                    }
                    Boolean piece;
                    try {
                        piece = seal(c, reader, start, start + pieceMicros, false);
                    } catch (SQLException e) {
                        if (!"23514".equals(SqlStates.of(e))) {
                            throw e;
                        }
                        // A block holding samples outside its piece's time (made by SQL: writers split
                        // blocks by piece) cannot go into the piece: its rows find their partitions.
                        piece = seal(c, reader, start, start + pieceMicros, true);
                    }
                    if (piece != null) {
                        done++;
                        anySealed |= piece;
                    }
                } catch (SQLException e) {
                    if (!c.isValid(5) || !reader.isValid(5)) {
                        throw e;
                    }
                    // One time that cannot be sealed (its day dropped by retention meanwhile, out of
                    // disk) keeps its blocks, answered as they are, and the later ones get their turn.
                    failures.warn("sealing failed, next piece [piece={}, error={}]", Pieces.name(start), e.toString());
                }
            }
            if (anySealed) {
                tidyBlocks(c);
            } else {
                summariseNewBlocks(c);
            }
        } finally {
            unlock(c);
        }
        advanceHead(c, nowMicros);
        return done;
    }

    /**
     * After a piece's blocks are gone: {@code VACUUM} frees their pages for new blocks, and the
     * BRIN's summaries are made again. A range's summary only ever widens, so a page range that
     * held a sealed hour's blocks and then newer ones would still claim the old hour, and every
     * read of sealed time would scan the hot blocks' pages (PostgreSQL docs, "BRIN Indexes":
     * summaries are not narrowed when tuples go; {@code brin_desummarize_range} lets them be
     * computed afresh). Costs one pass over the blocks table, once a piece. Public for the bench's seal of round 4.
     */
    public static void tidyBlocks(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("VACUUM samples_blocks");
            st.execute("SELECT count(brin_desummarize_range('samples_blocks_time_brin', b))"
                    + " FROM generate_series(0, pg_relation_size('samples_blocks') / current_setting('block_size')::int8, 128) b");
            st.execute("SELECT brin_summarize_new_values('samples_blocks_time_brin')");
        }
    }

    /**
     * Summarises the BRIN's page ranges that blocks filled since the last run. A range without a
     * summary is read by every BRIN scan (PostgreSQL docs, "BRIN Indexes": unsummarized ranges are
     * always returned as possible matches), and {@code autosummarize} waits for an autovacuum worker:
     * after a burst, a query reaching before the head's start read every new block (150 ms for the
     * raw hour of one series over 15 M fresh samples, docs/BENCHMARKS.md "Round 6: against the
     * peers"; 2.5 ms once summarised). Reads only the new pages, every sealer run (10 s).
     */
    static void summariseNewBlocks(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT brin_summarize_new_values('samples_blocks_time_brin')");
        }
    }

    /** The starts of the pieces of time holding blocks that are due (times in microseconds, schema step 014). */
    private static List<Long> blockPieces(Connection c, long cutoff, long pieceMicros) throws SQLException {
        List<Long> out = new java.util.ArrayList<>();
        // The piece's start: time_min rounded down to a multiple of the piece, also before 1970 (% keeps the sign).
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT time_min - ((time_min % ?) + ?) % ?"
                + " FROM samples_blocks WHERE time_min < ? ORDER BY 1")) {
            ps.setLong(1, pieceMicros);
            ps.setLong(2, pieceMicros);
            ps.setLong(3, pieceMicros);
            ps.setLong(4, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    /**
     * One transaction: the blocks of [lo, hi) become rows, and the piece of that time, when it
     * exists and is not sealed, gets its index. Then, outside it, the piece's VACUUM.
     *
     * <p>The move is a round trip through Sluice rather than an {@code INSERT ... SELECT unnest}:
     * PostgreSQL's executor, sort and heap insert per sample cost ~1.3 us a sample in SQL
     * (docs/BENCHMARKS.md, round 4), where a binary COPY out of the blocks, a merge here and a
     * binary COPY of rows in cost a fraction. {@code c} holds the transaction; {@code reader}
     * streams the blocks out of the same snapshot (PostgreSQL docs, "Snapshot Synchronization
     * Functions"), so the DELETE in {@code c}'s snapshot removes exactly the blocks that were read:
     * blocks committed meanwhile stay for the next run, and a block changed meanwhile by another
     * transaction fails the DELETE (a serialization failure), rolling the whole piece back.
     *
     * @param routed the rows go through {@code samples_rows}, each to its partition, rather than into the piece
     * @return true when a piece was sealed, false when only blocks were moved, null when nothing was done
     */
    private Boolean seal(Connection c, Connection reader, long lo, long hi, boolean routed) throws SQLException {
        long t0 = System.nanoTime();
        String name = Pieces.name(lo);
        String index = name + Pieces.INDEX_SUFFIX;
        boolean built = false;
        long rows;
        CopyEncoder rowsIn = null;
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setAutoCommit(false);
        reader.setAutoCommit(false);
        try (Statement st = c.createStatement(); Statement rst = reader.createStatement();
             PreparedStatement delete = c.prepareStatement(DELETE_SQL)) {
            String snapshot;
            try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                snapshot = rs.getString(1);
            }
            rst.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
            // Parallel workers would take more CPU in all than one process for the read and the index
            // build (measured: docs/BENCHMARKS.md, round 6), and a seal is background work: one each.
            rst.execute("SET LOCAL max_parallel_workers_per_gather = 0");
            st.execute("SET LOCAL max_parallel_maintenance_workers = 0");
            Boolean valid = indexState(st, name, index);
            // Into the piece itself when there is one (no routing a row); else the day's default partition.
            rowsIn = new CopyEncoder(CopyEncoder.BUFFER_BYTES, false, "COPY " + (valid == null || routed ? Partitions.TABLE : name)
                    + " (time, series_id, value, step) FROM STDIN (FORMAT binary)");
            rowsIn.begin(c);
            BlockMerge merge;
            try (PGCopyInputStream blocks = new PGCopyInputStream(reader.unwrap(PGConnection.class), copyOutSql(lo, hi))) {
                merge = new BlockMerge(blocks, rowsIn::row);
                rows = merge.run();
            }
            rowsIn.end();
            rowsIn = null;
            reader.commit();
            delete.setLong(1, lo);
            delete.setLong(2, hi);
            int deleted = delete.executeUpdate();
            if (deleted != merge.blocks()) {
                throw new SQLException("the seal read " + merge.blocks() + " blocks of " + name + " but would delete "
                        + deleted, "40001");
            }
            if (valid != null && !valid) {
                if (exists(st, index)) {
                    // An invalid index (a concurrent build of the layout before blocks, cut short): build it again.
                    st.execute("DROP INDEX IF EXISTS " + index);
                }
                st.execute("CREATE INDEX " + index + " ON " + name + " (series_id, time DESC) INCLUDE (value)");
                built = true;
            }
            c.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            if (rowsIn != null) {
                rowsIn.abort();
            }
            rollback(reader);
            rollback(c);
            throw e instanceof SQLException s ? s : new SQLException("sealing " + name + " failed: " + e, e);
        } finally {
            restore(c);
            restore(reader);
        }
        if (built) {
            try (Statement st = c.createStatement()) {
                st.execute("VACUUM (ANALYZE) " + name);
            }
            sealed.inc();
        }
        moved.add(rows);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        sealMillis.add(ms);
        if (built) {
            log.info("piece sealed [piece={}, rows={}, ms={}]", name, rows, ms);
        } else if (rows > 0) {
            log.info("late blocks sealed [time={}, samples={}, ms={}]", name, rows, ms);
        }
        return built ? Boolean.TRUE : rows > 0 ? Boolean.FALSE : null;
    }

    /** The blocks of [lo, hi) (microseconds since the Unix epoch), each series' together and in order of their first time. */
    static String copyOutSql(long lo, long hi) {
        return "COPY (SELECT series_id, times, vals, steps FROM samples_blocks WHERE time_min >= " + lo
                + " AND time_min < " + hi + " ORDER BY series_id, time_min) TO STDOUT (FORMAT binary)";
    }

    /** Back to auto-commit and READ COMMITTED; a connection that broke says so when next used (the pool drops it). */
    private static void restore(Connection c) {
        try {
            c.setAutoCommit(true);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        } catch (SQLException ignored) {
            // broken: the first error is the one reported
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone: so is the transaction
        }
    }

    /**
     * Whether the piece {@code name} has a valid index named {@code index}: null when there is no
     * such piece (a backfilled time: its rows went to the day's default partition).
     */
    private static Boolean indexState(Statement st, String name, String index) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT (SELECT bool_or(x.indisvalid) FROM pg_index x JOIN pg_class ix"
                + " ON ix.oid = x.indexrelid WHERE x.indrelid = c.oid AND ix.relname = '" + index + "')"
                + " FROM pg_class c WHERE c.relname = '" + name + "' AND c.relkind = 'r'")) {
            if (!rs.next()) {
                return null;
            }
            return rs.getBoolean(1);
        }
    }

    private static boolean exists(Statement st, String relation) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_class WHERE relname = '" + relation + "'")) {
            return rs.next();
        }
    }

    private void advanceHead(Connection c, long nowMicros) throws SQLException {
        if (head != null && head.from() != Long.MAX_VALUE) {
            head.advance(pieces.hotFrom(c, nowMicros, delayMicros));
        }
    }

    /** The sealing lock, also {@link HotChunks}' on TimescaleDB: one node seals at a time. */
    static boolean tryLock(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** A session lock outlives its statement: if it cannot be released, the connection goes. */
    static void unlock(Connection c) throws SQLException {
        boolean released = false;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_advisory_unlock(" + LOCK_KEY + ")")) {
            released = rs.next() && rs.getBoolean(1);
        } finally {
            if (!released) {
                c.abort(Runnable::run);
            }
        }
    }

    /** The pieces, as the sealer sees them (for tests and the log). */
    public List<Pieces.Piece> pieces(Connection c) throws SQLException {
        return pieces.list(c);
    }
}
