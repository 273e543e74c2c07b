package io.sluice.storage.db;

import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Daily partitions of {@code samples} on plain PostgreSQL: created by maintenance for every day a
 * sample may be accepted for (retention back, {@code max_future} ahead), created by a writer only
 * if one is still missing, compacted once the day is over, and dropped by retention; none of
 * these takes a lock that holds back the writers' COPY.
 *
 * <p>Days are UTC. A partition is named {@code samples_pYYYYMMDD}.
 */
public final class Partitions {
    private static final Logger log = LoggerFactory.getLogger(Partitions.class);
    public static final long DAY_MICROS = 86_400_000_000L;
    /**
     * The partitioned table of raw rows: sealed pieces, days from before the hot tier, backfill.
     * {@code samples} is a view over it and the hot blocks (schema/010_blocks.postgres.sql).
     */
    public static final String TABLE = "samples_rows";
    private static final long LOCK_KEY = 0x51_75_69_63_65_00_00_02L;
    /** The session advisory lock compaction and retention take (one node at a time). */
    public static final long COMPACT_LOCK_KEY = 0x51_75_69_63_65_00_00_03L;
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd");
    /** A day is compacted once it has been over this long (late samples mostly arrived). */
    public static final long COMPACT_GRACE_MICROS = 3_600_000_000L;
    /**
     * Marks a partition whose index was rebuilt (a table comment: no schema change needed),
     * followed by the size of its indexes then: {@code sluice: index compacted; bytes=N}.
     */
    static final String COMPACTED = "sluice: index compacted";
    /**
     * A compacted partition is compacted again once its indexes grew by half and by this much:
     * rows backfilled into a closed day after its rebuild fill the B-tree by page splits again.
     */
    public static final long RECOMPACT_MIN_GROWTH = 1L << 20;

    /**
     * Retention keeps a day this much past {@code retention_raw}: a sample accepted at the edge
     * may wait in the ring (a slow commit, a short database outage) and still find its partition.
     */
    public static final long RETENTION_GRACE_MICROS = 3_600_000_000L;

    /**
     * Days back that maintenance keeps ready at most: a longer retention gets older days attached
     * by the writer that needs them (non-blocking too), rather than thousands of empty tables.
     */
    static final int MAX_DAYS_KEPT_READY = 400;

    /** Days (since the epoch, UTC) known to have a partition; replaced whole by {@link #load}. */
    private volatile Set<Long> days = ConcurrentHashMap.newKeySet();
    private final Counter createdByMaintenance;
    private final Counter createdByWriters;

    public Partitions() {
        this(new Metrics());
    }

    public Partitions(Metrics metrics) {
        String name = "sluice_partitions_created_total";
        String help = "Daily partitions of samples created, by whom: maintenance ahead of time, or a writer"
                + " that found one missing (should stay 0).";
        createdByMaintenance = metrics.counter(name, help, "by", "maintenance");
        createdByWriters = metrics.counter(name, help, "by", "writer");
    }

    /** The partition of a day (days since the epoch, UTC). */
    public static String dayName(long day) {
        return "samples_p" + LocalDate.ofEpochDay(day).format(NAME);
    }

    public static long dayOf(long timeMicros) {
        return Math.floorDiv(timeMicros, DAY_MICROS);
    }

    public boolean has(long day) {
        return days.contains(day);
    }

    /** Every day of {@code times[0 .. size)} has its partition already (no database work to do). */
    public boolean coversDaysOf(long[] times, int size) {
        long lastDay = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            long d = dayOf(times[i]);
            if (d != lastDay && !has(d)) {
                return false;
            }
            lastDay = d;
        }
        return true;
    }

    /** Reads which partitions exist. Writers meanwhile see the old set, never an empty one. */
    public void load(Connection c) throws SQLException {
        Set<Long> fresh = ConcurrentHashMap.newKeySet();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i"
                     + " JOIN pg_class c ON c.oid = i.inhrelid"
                     + " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = '" + TABLE + "' AND NOT i.inhdetachpending")) {
            while (rs.next()) {
                Long day = parseDay(rs.getString(1));
                if (day != null) {
                    fresh.add(day);
                }
            }
        }
        days = fresh;
    }

    /**
     * Creates the partitions a writer's batch needs that do not exist (normally none,
     * maintenance keeps the whole accepted window); without stalling other writers, as
     * {@link #create} does.
     */
    public void ensure(Connection c, Iterable<Long> wanted) throws SQLException {
        create(c, wanted, createdByWriters);
    }

    /**
     * Makes sure the days of {@code times[0 .. size)} have their partitions (a writer's or the
     * journal flusher's batch), creating the missing ones as {@link #ensure} does (each commits).
     */
    public void ensureDaysOf(Connection c, long[] times, int size) throws SQLException {
        Set<Long> days = null;
        long lastDay = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            long d = dayOf(times[i]);
            if (d != lastDay && !has(d)) {
                if (days == null) {
                    days = new HashSet<>();
                }
                days.add(d);
            }
            lastDay = d;
        }
        if (days != null) {
            ensure(c, days);
        }
    }

    /**
     * Keeps a partition for every day a sample may be accepted for: from {@code retention}
     * (at most {@link #MAX_DAYS_KEPT_READY} days) before now to {@code ahead} days after today (the server passes at least {@code max_future}),
     * newest first. Run by maintenance, outside the writers' transactions.
     */
    public void ensureWindow(Connection c, long nowMicros, long retentionMicros, int ahead) throws SQLException {
        long today = dayOf(nowMicros);
        List<Long> want = new ArrayList<>();
        long first = Math.max(today - MAX_DAYS_KEPT_READY, dayOf(nowMicros - retentionMicros));
        for (long d = today + ahead; d >= first; d--) {
            want.add(d);
        }
        create(c, want, createdByMaintenance);
    }

    /** Ensures partitions from yesterday to {@code ahead} days after today (at start, before writes). */
    public void ensureAhead(Connection c, long nowMicros, int ahead) throws SQLException {
        long today = dayOf(nowMicros);
        List<Long> want = new ArrayList<>();
        for (long d = today + ahead; d >= today - 1; d--) {
            want.add(d);
        }
        create(c, want, createdByMaintenance);
    }

    /**
     * Creates each missing day's partition in a small transaction of its own, under an advisory
     * lock (writers and nodes may race for the same day), and never with a lock that waits for
     * or holds back the writers' COPY: {@code CREATE TABLE ... PARTITION OF} takes ACCESS
     * EXCLUSIVE on {@code samples}, so it queued behind every running query and every COPY queued
     * behind it (one stall lasted 29 s). Instead the day is created as a table of its own, given
     * a CHECK constraint that matches its bounds, and attached: {@code ATTACH PARTITION} takes
     * SHARE UPDATE EXCLUSIVE on {@code samples}, which neither reads nor writes conflict with,
     * and skips scanning the new table because the constraint proves its rows fit (PostgreSQL
     * manual, "Partition Maintenance"). The constraint is then dropped, so inserts do not check it.
     */
    private void create(Connection c, Iterable<Long> wanted, Counter counter) throws SQLException {
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
        List<LocalDate> created = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (long d : missing) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                LocalDate from = LocalDate.ofEpochDay(d);
                String name = "samples_p" + from.format(NAME);
                if (!attached(st, name)) {
                    String lo = "'" + from + " 00:00:00+00'";
                    String hi = "'" + from.plusDays(1) + " 00:00:00+00'";
                    // Partitioned in turn into hot pieces (Pieces): no B-tree until each piece is sealed.
                    st.execute("CREATE TABLE IF NOT EXISTS " + name + " (LIKE " + TABLE + " INCLUDING DEFAULTS) PARTITION BY RANGE (time)");
                    Pieces.prepareDay(st, name);
                    st.execute("ALTER TABLE " + name + " ADD CONSTRAINT " + name + "_bounds CHECK (time >= " + lo
                            + " AND time < " + hi + ")");
                    st.execute("ALTER TABLE " + TABLE + " ATTACH PARTITION " + name + " FOR VALUES FROM (" + lo + ") TO (" + hi + ")");
                    st.execute("ALTER TABLE " + name + " DROP CONSTRAINT " + name + "_bounds");
                    created.add(from);
                }
                c.commit();
                days.add(d);
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
            if (!created.isEmpty()) {
                counter.add(created.size());
                log.info("partitions created [count={}, days={}, by={}]", created.size(), created.size() <= 3 ? created
                        : created.get(0) + ".." + created.get(created.size() - 1), counter == createdByWriters ? "writer" : "maintenance");
            }
        }
    }

    private static boolean attached(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = '" + TABLE + "'::regclass AND c.relname = '" + name + "'")) {
            return rs.next();
        }
    }

    /**
     * Drops partitions wholly older than the cut-off (less {@link #RETENTION_GRACE_MICROS});
     * returns how many were dropped. Each is first detached with {@code DETACH PARTITION ...
     * CONCURRENTLY}, which takes only SHARE UPDATE EXCLUSIVE on {@code samples} and waits for
     * queries that may still read the partition, so neither writers nor readers queue behind it
     * (a plain {@code DROP TABLE} of a partition takes ACCESS EXCLUSIVE on {@code samples}). A
     * detach interrupted before (the process or the database stopped) is finished first.
     *
     * <p>Takes the compaction lock first: a DROP waiting behind another node's {@code REINDEX
     * CONCURRENTLY} of the same partition would wait for minutes. While the lock is taken
     * elsewhere, retention waits a run.
     *
     * @param c a connection in auto-commit mode (a concurrent detach cannot run in a transaction)
     */
    public int dropOlderThan(Connection c, long cutoffMicros) throws SQLException {
        long cutoffDay = dayOf(cutoffMicros - RETENTION_GRACE_MICROS);
        load(c);
        List<Long> old = new ArrayList<>();
        for (Long d : days) {
            // A partition covers [d, d+1); it is wholly older when d+1 <= cutoff day.
            if (d + 1 <= cutoffDay) {
                old.add(d);
            }
        }
        List<String> pending = detachPending(c);
        if (old.isEmpty() && pending.isEmpty()) {
            return 0;
        }
        if (!advisoryLock(c, "pg_try_advisory_lock")) {
            log.info("retention postponed: another session is compacting partitions");
            return 0;
        }
        int dropped = 0;
        try (Statement st = c.createStatement()) {
            // Hot blocks of those days not sealed yet (the sealer had not run): they go with their days.
            // Their times are microseconds since the Unix epoch (schema step 014).
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM samples_blocks WHERE time_max < ?")) {
                ps.setLong(1, cutoffDay * 86_400_000_000L);
                int blocks = ps.executeUpdate();
                if (blocks > 0) {
                    log.info("retention removed hot blocks [blocks={}, before={}]", blocks, LocalDate.ofEpochDay(cutoffDay));
                }
            }
            for (String name : pending) {
                st.execute("ALTER TABLE " + TABLE + " DETACH PARTITION " + name + " FINALIZE");
                st.execute("DROP TABLE IF EXISTS " + name);
                dropped++;
            }
            for (Long d : old) {
                String name = "samples_p" + LocalDate.ofEpochDay(d).format(NAME);
                days.remove(d);
                st.execute("ALTER TABLE " + TABLE + " DETACH PARTITION " + name + " CONCURRENTLY");
                st.execute("DROP TABLE IF EXISTS " + name);
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

    private static List<String> detachPending(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i"
                + " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '" + TABLE + "'::regclass AND i.inhdetachpending")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * Rebuilds the index of day partitions that are over, newest first, until {@code budgetMs}
     * of work is spent: the plain day partitions of the layout before the hot tier, and the
     * default partition of a day of pieces ({@link Pieces#prepareDay}: backfilled rows and rows inserted
     * by SQL, through its B-tree); pieces get their index built once, compact, when they are sealed. Samples arrive interleaved across series, so every series' range of the
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
             ResultSet rs = st.executeQuery("SELECT c.relname, obj_description(c.oid, 'pg_class'), pg_indexes_size(c.oid)"
                     + " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent"
                     + " WHERE c.relkind = 'r' AND (p.relname = '" + TABLE + "' OR c.relname = p.relname || '_rest')"
                     + " ORDER BY c.relname DESC")) {
            while (rs.next()) {
                String name = rs.getString(1);
                Long day = parseDay(name.endsWith("_rest") ? name.substring(0, name.length() - 5) : name);
                if (day != null && day < closedBefore && due(rs.getString(2), rs.getLong(3))) {
                    todo.add(name);
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
                    long after = indexBytes(st, table);
                    st.execute("COMMENT ON TABLE " + table + " IS '" + COMPACTED + "; bytes=" + after + "'");
                    log.info("partition index compacted [partition={}, bytesBefore={}, bytesAfter={}, ms={}]",
                            table, before, after, (System.nanoTime() - t) / 1_000_000);
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

    /**
     * Whether a closed day's partition wants its index rebuilt: never compacted, or compacted
     * (its comment records the size then) and grown since by half and by
     * {@link #RECOMPACT_MIN_GROWTH}: rows backfilled after the rebuild (README, plain PostgreSQL).
     * A mark without a size (written before sizes were kept) counts as compacted at today's size.
     */
    static boolean due(String comment, long indexBytes) {
        if (comment == null || !comment.startsWith(COMPACTED)) {
            return true;
        }
        int at = comment.indexOf("bytes=");
        if (at < 0) {
            return false;
        }
        long then;
        try {
            then = Long.parseLong(comment.substring(at + 6).trim());
        } catch (NumberFormatException e) {
            return false;
        }
        return indexBytes - then > Math.max(then / 2, RECOMPACT_MIN_GROWTH);
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
