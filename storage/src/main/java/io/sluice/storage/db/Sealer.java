package io.sluice.storage.db;

import io.sluice.storage.head.Head;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Seals the hot tier's pieces (README, "Hot tier and head"): once a piece's time is over by
 * {@code delay} (late samples mostly arrived), its {@code (series_id, time DESC) INCLUDE (value)}
 * index is built in one pass ({@code CREATE INDEX CONCURRENTLY}: a sort, instead of one B-tree
 * insert per row while it was written; writes of late samples and reads go on meanwhile), then
 * {@code VACUUM} sets its visibility map so reads are answered from the index alone. A late
 * sample for a sealed piece is inserted through its index as before.
 *
 * <p>Nothing is moved or copied: a row is in exactly one piece before, during and after its
 * seal, so an interrupted seal (process killed, database restarted) can lose or duplicate
 * nothing. It leaves at most an invalid index, which the next run drops and builds again.
 * After each run the head ({@link Head}) lets go of what the sealed pieces now answer.
 */
public final class Sealer {
    private static final Logger log = LoggerFactory.getLogger(Sealer.class);
    /** The same key on every node: one node seals at a time. */
    private static final long LOCK_KEY = 0x51_75_69_63_65_00_00_06L;

    private final Pieces pieces;
    private final long delayMicros;
    private final Head head;
    private final Counter sealed;
    private final Counter sealMillis;

    public Sealer(Pieces pieces, long delayMicros, Head head, Metrics metrics) {
        this.pieces = pieces;
        this.delayMicros = delayMicros;
        this.head = head;
        this.sealed = metrics.counter("sluice_pieces_sealed_total", "Hot pieces given their index.");
        this.sealMillis = metrics.counter("sluice_seal_milliseconds_total",
                "Time spent sealing pieces (index build and vacuum), in milliseconds.");
    }

    /**
     * Seals every piece that is due, oldest first, then moves the head's start to the oldest
     * piece still hot.
     *
     * @param c a connection in auto-commit mode (neither statement runs in a transaction)
     * @return pieces sealed
     */
    public int sealDue(Connection c, long nowMicros) throws SQLException {
        if (!tryLock(c)) {
            return 0; // another node is sealing
        }
        int done = 0;
        try (Statement st = c.createStatement()) {
            for (Pieces.Piece p : pieces.list(c)) {
                if (p.sealed() || p.endMicros() + delayMicros > nowMicros) {
                    continue;
                }
                long t0 = System.nanoTime();
                String index = p.name() + Pieces.INDEX_SUFFIX;
                // An interrupted concurrent build leaves an invalid index behind: drop it, build again.
                st.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index);
                st.execute("CREATE INDEX CONCURRENTLY " + index + " ON " + p.name() + " (series_id, time DESC) INCLUDE (value)");
                st.execute("VACUUM (ANALYZE) " + p.name());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                sealed.inc();
                sealMillis.add(ms);
                done++;
                log.info("piece sealed [piece={}, rows={}, ms={}]", p.name(), rows(st, p.name()), ms);
            }
        } finally {
            unlock(c);
        }
        advanceHead(c, nowMicros);
        return done;
    }

    private void advanceHead(Connection c, long nowMicros) throws SQLException {
        if (head != null && head.from() != Long.MAX_VALUE) {
            head.advance(pieces.hotFrom(c, nowMicros, delayMicros));
        }
    }

    private static long rows(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT reltuples::bigint FROM pg_class WHERE relname = '" + table + "'")) {
            return rs.next() ? rs.getLong(1) : -1;
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
