package io.sluice.storage.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Daily partitions of {@code samples} on plain PostgreSQL: created ahead of time, created on
 * demand before a batch lands outside every existing one, compacted once the day is over, and
 * dropped by retention.
 *
 * <p>Days are UTC. A partition is named {@code samples_pYYYYMMDD}.
 */
public final class Partitions {
    private static final Logger log = LoggerFactory.getLogger(Partitions.class);
    public static final long DAY_MICROS = 86_400_000_000L;
    private static final long LOCK_KEY = 0x51_75_69_63_65_00_00_02L;
    /** The session advisory lock compaction and retention take (one node at a time). */
    public static final long COMPACT_LOCK_KEY = 0x51_75_69_63_65_00_00_03L;
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd");
    /** A day is compacted once it has been over this long (late samples mostly arrived). */
    public static final long COMPACT_GRACE_MICROS = 3_600_000_000L;
    /** Marks a partition whose index was rebuilt (a table comment: no schema change needed). */
    static final String COMPACTED = "sluice: index compacted";

    /** Days (since the epoch, UTC) known to have a partition. */
    private final Set<Long> days = ConcurrentHashMap.newKeySet();

    public static long dayOf(long timeMicros) {
        return Math.floorDiv(timeMicros, DAY_MICROS);
    }

    public boolean has(long day) {
        return days.contains(day);
    }

    /** Reads which partitions exist. */
    public void load(Connection c) throws SQLException {
        days.clear();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i"
                     + " JOIN pg_class c ON c.oid = i.inhrelid"
                     + " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'samples'")) {
            while (rs.next()) {
                Long day = parseDay(rs.getString(1));
                if (day != null) {
                    days.add(day);
                }
            }
        }
    }

    /**
     * Creates the partitions for the given days that do not exist yet, each in its own small
     * transaction under an advisory lock (writers and nodes may race for the same day).
     */
    public void ensure(Connection c, Iterable<Long> wanted) throws SQLException {
        List<Long> missing = new ArrayList<>();
        for (Long d : wanted) {
            if (!days.contains(d)) {
                missing.add(d);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
            for (long d : missing) {
                LocalDate from = LocalDate.ofEpochDay(d);
                String name = "samples_p" + from.format(NAME);
                st.execute("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF samples FOR VALUES FROM ('"
                        + from + " 00:00:00+00') TO ('" + from.plusDays(1) + " 00:00:00+00')");
            }
            c.commit();
            days.addAll(missing);
            log.info("partitions created [days={}]", missing.stream().map(LocalDate::ofEpochDay).toList());
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Ensures partitions from yesterday to {@code ahead} days after today. */
    public void ensureAhead(Connection c, long nowMicros, int ahead) throws SQLException {
        long today = dayOf(nowMicros);
        List<Long> want = new ArrayList<>();
        for (long d = today - 1; d <= today + ahead; d++) {
            want.add(d);
        }
        ensure(c, want);
    }

    /**
     * Drops partitions wholly older than the cut-off; returns how many were dropped. Takes the
     * compaction lock first: a DROP waiting behind another node's {@code REINDEX CONCURRENTLY} of
     * the same partition would hold its lock on {@code samples} meanwhile, and every COPY and
     * query would queue behind it. While the lock is taken elsewhere, retention waits a run.
     */
    public int dropOlderThan(Connection c, long cutoffMicros) throws SQLException {
        long cutoffDay = dayOf(cutoffMicros);
        int dropped = 0;
        load(c);
        List<Long> old = new ArrayList<>();
        for (Long d : days) {
            // A partition covers [d, d+1); it is wholly older when d+1 <= cutoff day.
            if (d + 1 <= cutoffDay) {
                old.add(d);
            }
        }
        if (old.isEmpty()) {
            return 0;
        }
        if (!advisoryLock(c, "pg_try_advisory_lock")) {
            log.info("retention postponed: another session is compacting partitions");
            return 0;
        }
        try (Statement st = c.createStatement()) {
            for (Long d : old) {
                st.execute("DROP TABLE IF EXISTS samples_p" + LocalDate.ofEpochDay(d).format(NAME));
                days.remove(d);
                dropped++;
            }
        } finally {
            unlock(c);
        }
        if (dropped > 0) {
            log.info("retention dropped partitions [count={}, before={}]", dropped, LocalDate.ofEpochDay(cutoffDay));
        }
        return dropped;
    }

    /**
     * Rebuilds the index of day partitions that are over, newest first, until {@code budgetMs}
     * of work is spent. Samples arrive interleaved across series, so every series' range of the
     * {@code (series_id, time)} index grows by page splits that leave pages about half full
     * (measured: 501 MB for a day of 7.2 M rows, 278 MB rebuilt); an hour of one series then
     * spans twice the pages it needs, and a raw read costs twice the page reads.
     * {@code REINDEX CONCURRENTLY} keeps the partition readable and writable meanwhile.
     *
     * @param c a connection in auto-commit mode (the rebuild cannot run inside a transaction)
     * @return partitions compacted
     */
    public int compactClosedDays(Connection c, long nowMicros, long budgetMs) throws SQLException {
        long closedBefore = dayOf(nowMicros - COMPACT_GRACE_MICROS);
        List<String> todo = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i"
                     + " JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent"
                     + " WHERE p.relname = 'samples' AND obj_description(c.oid, 'pg_class') IS DISTINCT FROM '"
                     + COMPACTED + "' ORDER BY c.relname DESC")) {
            while (rs.next()) {
                Long day = parseDay(rs.getString(1));
                if (day != null && day < closedBefore) {
                    todo.add(rs.getString(1));
                }
            }
        }
        if (todo.isEmpty() || !advisoryLock(c, "pg_try_advisory_lock")) {
            return 0; // nothing to do, or another node is at it
        }
        int done = 0;
        long t0 = System.nanoTime();
        try (Statement st = c.createStatement()) {
            for (String table : todo) {
                if ((System.nanoTime() - t0) / 1_000_000 >= budgetMs) {
                    break;
                }
                long t = System.nanoTime();
                try {
                    dropLeftovers(st, table);
                    long before = indexBytes(st, table);
                    st.execute("REINDEX TABLE CONCURRENTLY " + table);
                    st.execute("COMMENT ON TABLE " + table + " IS '" + COMPACTED + "'");
                    log.info("partition index compacted [partition={}, bytesBefore={}, bytesAfter={}, ms={}]",
                            table, before, indexBytes(st, table), (System.nanoTime() - t) / 1_000_000);
                    done++;
                } catch (SQLException e) {
                    if (c.isClosed() || !c.isValid(5)) {
                        throw e;
                    }
                    // One day that cannot be rebuilt (dropped meanwhile, out of disk, a timeout)
                    // must not keep the older ones from their turn.
                    log.warn("partition index compaction failed, next partition [partition={}, error={}]", table, e.toString());
                }
            }
        } finally {
            unlock(c);
        }
        return done;
    }

    /**
     * A rebuild that failed half-way (the process or the database stopped) leaves its new index
     * behind, invalid, named {@code *_ccnew*} (or the old one, {@code *_ccold*}, if it could not
     * be dropped): still updated by every insert, never used. The PostgreSQL manual's remedy is
     * to drop it and rebuild again.
     */
    private static void dropLeftovers(Statement st, String table) throws SQLException {
        List<String> leftovers = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                + " WHERE x.indrelid = '" + table + "'::regclass AND NOT x.indisvalid"
                + " AND (i.relname LIKE '%\\_ccnew%' OR i.relname LIKE '%\\_ccold%')")) {
            while (rs.next()) {
                leftovers.add(rs.getString(1));
            }
        }
        for (String index : leftovers) {
            st.execute("DROP INDEX CONCURRENTLY IF EXISTS \"" + index + "\"");
            log.warn("dropped the invalid index of an interrupted rebuild [partition={}, index={}]", table, index);
        }
    }

    /**
     * Releases the compaction lock. A session lock outlives the transaction, and a pooled
     * connection that kept it would stop compaction and retention on every node: if the unlock
     * does not succeed the connection is aborted, so the pool drops it and the lock goes with it.
     */
    private static void unlock(Connection c) throws SQLException {
        boolean released = false;
        try {
            released = advisoryLock(c, "pg_advisory_unlock");
        } finally {
            if (!released) {
                log.warn("compaction lock not released, closing the connection that holds it");
                c.abort(Runnable::run);
            }
        }
    }

    private static boolean advisoryLock(Connection c, String function) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + function + "(" + COMPACT_LOCK_KEY + ")")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static long indexBytes(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT pg_indexes_size('" + table + "'::regclass)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Long parseDay(String relname) {
        if (relname == null || !relname.startsWith("samples_p") || relname.length() != 17) {
            return null;
        }
        try {
            return LocalDate.parse(relname.substring(9), NAME).toEpochDay();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
