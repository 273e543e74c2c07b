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
import java.util.ArrayList;
import java.util.List;

/**
 * The hot tier on TimescaleDB (README, "Hot tier and head"): {@code samples} is a hypertable with
 * no index of its own ({@code schema/011_hot_chunks.timescale.sql}), so writers append to a chunk
 * at the cost of its heap alone. Once a chunk's time is over by {@code delay}, it gets its
 * {@code (series_id, time DESC) INCLUDE (value)} index in one build ({@code CREATE INDEX
 * CONCURRENTLY} on the chunk: a sort instead of a B-tree insert a row; late writes and reads go on
 * meanwhile) and a {@code VACUUM}, as {@link Sealer} does for plain PostgreSQL's pieces; a late
 * sample for a sealed chunk goes through its index. Until then the head ({@link Head}) answers
 * Sluice's queries over the chunk.
 *
 * <p>The columnstore conversion ({@code compress_chunk}, segmented by series) was measured as the
 * other way to seal (docs/BENCHMARKS.md, "TimescaleDB"): the same CPU a row and the same time for
 * a raw hour of one series, and 30 times smaller, but it holds an EXCLUSIVE lock on the chunk for
 * the whole conversion, so a writer with a late sample for that chunk would wait for it. Chunks
 * still go to the columnstore a week after their time (the compression policy,
 * {@link TimescalePolicies}); one already there counts as sealed.
 *
 * <p>Nothing is moved: a row is in exactly one chunk before, during and after its seal, so an
 * interrupted seal loses or duplicates nothing; it leaves at most an invalid index, which the
 * next run drops and builds again.
 */
public final class HotChunks {
    private static final Logger log = LoggerFactory.getLogger(HotChunks.class);
    /** A sealed chunk's index is named {@code <chunk>} + this (as a sealed piece's). */
    public static final String INDEX_SUFFIX = Pieces.INDEX_SUFFIX;

    private final long delayMicros;
    private final Head head;
    private final Counter sealed;
    private final Counter sealMillis;

    public HotChunks(long delayMicros, Head head, Metrics metrics) {
        this.delayMicros = delayMicros;
        this.head = head;
        this.sealed = metrics.counter("sluice_pieces_sealed_total", "Hot pieces given their index.");
        this.sealMillis = metrics.counter("sluice_seal_milliseconds_total",
                "Time spent sealing pieces (index build and vacuum), in milliseconds.");
    }

    /**
     * A chunk of {@code samples}: sealed when it has its index or is in the columnstore.
     *
     * @param name  the chunk's table, schema-qualified and quoted as SQL needs it
     * @param index the name its index has once sealed, quoted (in the chunk's schema)
     */
    public record Chunk(String name, String index, long startMicros, long endMicros, boolean sealed) {
    }

    /** Every chunk of {@code samples}, oldest first. */
    public static List<Chunk> list(Connection c) throws SQLException {
        List<Chunk> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT format('%I.%I', ch.chunk_schema, ch.chunk_name), format('%I', ch.chunk_name || '" + INDEX_SUFFIX + "'),"
                        + " (extract(epoch FROM ch.range_start) * 1000000)::bigint,"
                        + " (extract(epoch FROM ch.range_end) * 1000000)::bigint,"
                        + " ch.is_compressed OR EXISTS (SELECT 1 FROM pg_index x JOIN pg_class ix ON ix.oid = x.indexrelid"
                        + " WHERE x.indrelid = format('%I.%I', ch.chunk_schema, ch.chunk_name)::regclass AND x.indisvalid"
                        + " AND ix.relname = ch.chunk_name || '" + INDEX_SUFFIX + "')"
                        + " FROM timescaledb_information.chunks ch"
                        + " WHERE ch.hypertable_schema = current_schema() AND ch.hypertable_name = 'samples'"
                        + " ORDER BY ch.range_start")) {
            while (rs.next()) {
                out.add(new Chunk(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getBoolean(5)));
            }
        }
        return out;
    }

    /**
     * Seals every chunk that is due, oldest first, then moves the head's start to the oldest
     * chunk still hot.
     *
     * @param c a connection in auto-commit mode (neither statement runs in a transaction)
     * @return chunks sealed
     */
    public int sealDue(Connection c, long nowMicros) throws SQLException {
        if (!Sealer.tryLock(c)) {
            return 0; // another node is sealing
        }
        int done = 0;
        try (Statement st = c.createStatement()) {
            for (Chunk ch : list(c)) {
                if (ch.sealed() || ch.endMicros() + delayMicros > nowMicros) {
                    continue;
                }
                long t0 = System.nanoTime();
                String schema = ch.name().substring(0, ch.name().lastIndexOf('.') + 1);
                // An interrupted concurrent build leaves an invalid index behind: drop it, build again.
                st.execute("DROP INDEX CONCURRENTLY IF EXISTS " + schema + ch.index());
                st.execute("CREATE INDEX CONCURRENTLY " + ch.index() + " ON " + ch.name() + " (series_id, time DESC) INCLUDE (value)");
                st.execute("VACUUM (ANALYZE) " + ch.name());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                sealed.inc();
                sealMillis.add(ms);
                done++;
                log.info("chunk sealed [chunk={}, rows={}, ms={}]", ch.name(), rows(st, ch.name()), ms);
            }
        } finally {
            Sealer.unlock(c);
        }
        if (head != null && head.from() != Long.MAX_VALUE) {
            head.advance(hotFrom(c, nowMicros, delayMicros));
        }
        return done;
    }

    /**
     * Where the head must start: the oldest chunk not sealed whose time is not over by
     * {@code delayMicros} (older ones, of late or backfilled samples, are answered by the database
     * and sealed at the next run), or, with none, the end of the newest sealed chunk (a chunk of a
     * database from before the hot tier may still be current: its index answers it), or the start
     * of the chunk the current time falls in.
     */
    public static long hotFrom(Connection c, long nowMicros, long delayMicros) throws SQLException {
        long start = Long.MAX_VALUE;
        long sealedTo = Long.MIN_VALUE;
        for (Chunk ch : list(c)) {
            if (!ch.sealed() && ch.endMicros() + delayMicros > nowMicros) {
                start = Math.min(start, ch.startMicros());
            } else if (ch.sealed()) {
                sealedTo = Math.max(sealedTo, ch.endMicros());
            }
        }
        if (start != Long.MAX_VALUE) {
            return start;
        }
        if (sealedTo != Long.MIN_VALUE) {
            return sealedTo;
        }
        long interval = chunkIntervalMicros(c);
        return Math.floorDiv(nowMicros, interval) * interval;
    }

    /** The hypertable's chunk interval for chunks made from now on. */
    static long chunkIntervalMicros(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT (extract(epoch FROM time_interval) * 1000000)::bigint FROM timescaledb_information.dimensions"
                        + " WHERE hypertable_schema = current_schema() AND hypertable_name = 'samples'")) {
            if (!rs.next()) {
                throw new SQLException("samples is not a hypertable in this database's schema");
            }
            return rs.getLong(1);
        }
    }

    private static long rows(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT reltuples::bigint FROM pg_class WHERE oid = '" + table + "'::regclass")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }
}
