package io.sluice.storage.db;

import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hot tier's pieces on plain PostgreSQL (README, "Hot tier and head"): each day partition of
 * {@code samples_rows} is itself partitioned by time into pieces of {@code pieceMicros}, named
 * {@code samples_pYYYYMMDD_HHMM} after their start (UTC). Writers put a piece's samples in hot
 * blocks ({@code samples_blocks}); {@link Sealer} moves them into the piece as sorted rows and
 * gives it its {@code (series_id, time DESC) INCLUDE (value)} index in one build once its time is
 * over. Until then a piece holds only rows inserted by SQL, or by the layout before blocks, and has
 * no B-tree. Days created before the hot tier stay plain tables with their own index.
 */
public final class Pieces {
    private static final Logger log = LoggerFactory.getLogger(Pieces.class);
    private static final long LOCK_KEY = 0x51_75_69_63_65_00_00_05L;
    /** How long making a piece may wait for the lock on its day's default partition. */
    static final String LOCK_TIMEOUT = "500ms";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd_HHmm").withZone(ZoneOffset.UTC);
    /** How far back a late sample still gets a piece made by the sealer that needs it. */
    public static final long LATE_WINDOW_MICROS = 3_600_000_000L;
    /** The index a sealed piece has, named {@code <piece>} + this. */
    public static final String INDEX_SUFFIX = "_series_time";

    private final long pieceMicros;
    /** Pieces (start / pieceMicros) known to exist. */
    private final Set<Long> known = ConcurrentHashMap.newKeySet();
    private final Counter created;

    public Pieces(long pieceMicros, Metrics metrics) {
        if (pieceMicros < 60_000_000L || Partitions.DAY_MICROS % pieceMicros != 0) {
            throw new IllegalArgumentException("a piece must be at least a minute and divide a day, was "
                    + pieceMicros + " us");
        }
        this.pieceMicros = pieceMicros;
        this.created = metrics.counter("sluice_pieces_created_total", "Hot pieces of the samples table created.");
    }

    public long pieceMicros() {
        return pieceMicros;
    }

    public long pieceOf(long timeMicros) {
        return Math.floorDiv(timeMicros, pieceMicros);
    }

    /**
     * The oldest piece the sealer makes when it is missing (README, "Hot tier and head"): those
     * whose time ended less than {@link #LATE_WINDOW_MICROS} ago, and any later one (maintenance
     * makes the current piece and the next two; the sealer makes one only when that failed, or for
     * a late sample of the last hour). Older time, a backfill, goes to its day's default partition
     * through the B-tree, as before the hot tier, so that a backfill creates no tables.
     */
    public long oldestWriterPiece(long nowMicros) {
        return pieceOf(nowMicros - LATE_WINDOW_MICROS);
    }

    public boolean has(long piece) {
        return known.contains(piece);
    }

    public static String name(long startMicros) {
        return "samples_p" + NAME.format(Instant.ofEpochSecond(Math.floorDiv(startMicros, 1_000_000L)));
    }

    /** The day's default partition: rows of a time with no piece (named so no piece's name can be). */
    public static String restName(String day) {
        return day + "_rest";
    }

    /**
     * Makes a new day partition ready for pieces, right after it was created as a partitioned
     * table and before it is attached: its default partition, with the B-tree a piece gets at its
     * seal. Rows of a time that has no piece land there through its index, as in the layout before
     * pieces: samples older than {@link #oldestWriterPiece} (a backfill: the sealer makes no piece for
     * them) and rows inserted by SQL (a bulk load, psql; without it such an INSERT would fail).
     */
    public static void prepareDay(Statement st, String day) throws SQLException {
        String rest = restName(day);
        st.execute("CREATE TABLE IF NOT EXISTS " + rest + " PARTITION OF " + day + " DEFAULT");
        st.execute("CREATE INDEX IF NOT EXISTS " + rest + INDEX_SUFFIX + " ON " + rest + " (series_id, time DESC) INCLUDE (value)");
    }

    /** Reads which pieces exist. */
    public void load(Connection c) throws SQLException {
        Set<Long> fresh = ConcurrentHashMap.newKeySet();
        for (Piece p : list(c)) {
            fresh.add(pieceOf(p.startMicros()));
        }
        known.clear();
        known.addAll(fresh);
    }

    /**
     * Creates the pieces that do not exist yet, in days that are partitioned (a plain day of the
     * layout before the hot tier takes its rows itself). Each piece is made as a table, given a
     * CHECK matching its bounds and attached, so that attaching takes no lock that waits for or
     * holds back writers or readers of the day, then the CHECK is dropped (as {@link Partitions}
     * does for days).
     */
    public void ensure(Connection c, Iterable<Long> pieces) throws SQLException {
        ensure(c, pieces, true);
    }

    /**
     * As {@link #ensure(Connection, Iterable)}. Attaching a piece to a day takes an exclusive lock
     * on the day's default partition for a moment (PostgreSQL checks that it holds no row of the
     * piece's time), which waits for queries reading the day and makes later ones wait behind it;
     * so it gives up after {@value #LOCK_TIMEOUT}. Maintenance ({@code giveUp} false) tries again a
     * minute later; the sealer ({@code giveUp} true: it makes a piece only for the last hour's late time or
     * time ahead, {@link #oldestWriterPiece}; maintenance makes them ahead) writes those rows into
     * the default partition instead.
     */
    public void ensure(Connection c, Iterable<Long> pieces, boolean giveUp) throws SQLException {
        List<Long> missing = new ArrayList<>();
        for (Long p : pieces) {
            if (!known.contains(p)) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        List<String> made = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (long p : missing) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                st.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
                long lo = p * pieceMicros;
                String day = Partitions.dayName(Partitions.dayOf(lo));
                String name = name(lo);
                if (partitioned(st, day) && !exists(st, name)) {
                    String from = "'" + Instant.ofEpochSecond(lo / 1_000_000L) + "'";
                    String to = "'" + Instant.ofEpochSecond((lo + pieceMicros) / 1_000_000L) + "'";
                    if (restHolds(st, day, from, to)) {
                        // Rows of this time are in the day's default partition (SQL, a seal that gave up):
                        // a piece cannot be attached over them, and this time's rows go there too.
                        c.commit();
                        known.add(p);
                        continue;
                    }
                    st.execute("CREATE TABLE " + name + " (LIKE " + Partitions.TABLE + " INCLUDING DEFAULTS)");
                    st.execute("ALTER TABLE " + name + " ADD CONSTRAINT " + name + "_bounds CHECK (time >= " + from
                            + " AND time < " + to + ")");
                    try (Statement attach = c.createStatement()) {
                        attach.execute("ALTER TABLE " + day + " ATTACH PARTITION " + name + " FOR VALUES FROM (" + from
                                + ") TO (" + to + ")");
                    } catch (SQLException e) {
                        if (!"55P03".equals(SqlStates.of(e))) {
                            throw e;
                        }
                        c.rollback();
                        log.info("hot piece not made now: the day's default partition is busy [piece={}, by={}]", name,
                                giveUp ? "sealer: its rows go to the default partition" : "maintenance: again in a minute");
                        if (giveUp) {
                            known.add(p);
                        }
                        continue;
                    }
                    st.execute("ALTER TABLE " + name + " DROP CONSTRAINT " + name + "_bounds");
                    made.add(name);
                }
                c.commit();
                known.add(p);
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        if (!made.isEmpty()) {
            created.add(made.size());
            log.info("hot pieces created [count={}, pieces={}]", made.size(), made);
        }
    }

    /** A piece, and whether it has its index (sealed). */
    public record Piece(String name, long startMicros, long endMicros, boolean sealed) {
    }

    /** Every piece, oldest first. */
    public List<Piece> list(Connection c) throws SQLException {
        List<Piece> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT c.relname, (SELECT bool_or(x.indisvalid) FROM pg_index x JOIN pg_class ix ON ix.oid = x.indexrelid"
                        + " WHERE x.indrelid = c.oid AND ix.relname = c.relname || '" + INDEX_SUFFIX + "')"
                        + " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        + " JOIN pg_inherits di ON di.inhrelid = i.inhparent"
                        + " WHERE di.inhparent = '" + Partitions.TABLE + "'::regclass AND NOT i.inhdetachpending ORDER BY c.relname")) {
            while (rs.next()) {
                long start = parse(rs.getString(1));
                if (start != Long.MIN_VALUE) {
                    out.add(new Piece(rs.getString(1), start, start + pieceMicros, rs.getBoolean(2)));
                }
            }
        }
        return out;
    }

    /**
     * Where the head must start: the oldest hot piece whose time is not over by {@code delayMicros}
     * (older hot pieces, of late or backfilled samples, are answered by the database and sealed
     * at the sealer's next run), or, with none, the end of the newest sealed piece, or the start
     * of the current piece.
     */
    public long hotFrom(Connection c, long nowMicros, long delayMicros) throws SQLException {
        long start = Long.MAX_VALUE;
        long sealedTo = Long.MIN_VALUE;
        for (Piece p : list(c)) {
            if (!p.sealed() && p.endMicros() + delayMicros > nowMicros) {
                start = Math.min(start, p.startMicros());
            } else if (p.sealed() && p.endMicros() <= nowMicros) {
                sealedTo = Math.max(sealedTo, p.endMicros());
            }
        }
        if (start != Long.MAX_VALUE) {
            return start;
        }
        return sealedTo != Long.MIN_VALUE ? sealedTo : pieceOf(nowMicros) * pieceMicros;
    }

    static long parse(String relname) {
        if (relname == null || relname.length() != 22 || !relname.startsWith("samples_p")) {
            return Long.MIN_VALUE;
        }
        try {
            return java.time.LocalDateTime.parse(relname.substring(9), DateTimeFormatter.ofPattern("yyyyMMdd_HHmm"))
                    .toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        } catch (RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    private static boolean partitioned(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_class WHERE relname = '" + table + "' AND relkind = 'p'")) {
            return rs.next();
        }
    }

    private static boolean restHolds(Statement st, String day, String from, String to) throws SQLException {
        if (!exists(st, restName(day))) {
            return false;
        }
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM " + restName(day) + " WHERE time >= " + from + " AND time < " + to
                + " LIMIT 1")) {
            return rs.next();
        }
    }

    private static boolean exists(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_class WHERE relname = '" + table + "'")) {
            return rs.next();
        }
    }
}
