package io.sluice.storage.query;

import org.postgresql.util.ByteConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Rollup tables on plain PostgreSQL, refreshed incrementally: 1m from raw samples, 1h from 1m,
 * 1d from 1h. Each level has a watermark ({@code rollup_state.refreshed_to}): buckets before it
 * are complete. A refresh recomputes from {@code watermark - lateness} so samples that arrive a
 * little late are folded in, up to the last whole bucket before {@code now - lag}.
 *
 * <p>On TimescaleDB the same relations are continuous aggregates kept by policies; this class
 * is not used there. Queries add what is newer than the watermark from raw samples (real-time
 * aggregation), so a chart has no hole at its right edge either way.
 */
public final class Rollups {
    private static final Logger log = LoggerFactory.getLogger(Rollups.class);
    static final String ORIGIN = "TIMESTAMPTZ '1970-01-01 00:00:00+00'";
    private static final long LOCK_KEY = 0x51_75_69_63_65_00_00_03L;

    private final long rawRetentionMicros;

    /** @param rawRetentionMicros how far back a first refresh starts */
    public Rollups(long rawRetentionMicros) {
        this.rawRetentionMicros = rawRetentionMicros;
    }

    /** Refreshes every level up to {@code now}; returns each level's new watermark. */
    public Map<Source, Instant> refresh(Connection c, Instant now) throws SQLException {
        Map<Source, Instant> marks = new EnumMap<>(Source.class);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ")");
                 ResultSet rs = lock.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    c.rollback();
                    return marks; // another node is refreshing
                }
            }
            long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
            // 1m trails raw by 10 s of lag; each higher level goes no further than the one below.
            long upper = floor(nowMicros - 10_000_000L, Source.M1.bucketMicros);
            for (Source level : new Source[] {Source.M1, Source.H1, Source.D1}) {
                long to = floor(upper, level.bucketMicros);
                long from = watermark(c, level, to - rawRetentionMicros);
                long lateness = level == Source.M1 ? 5 * 60_000_000L : level.bucketMicros;
                long start = floor(Math.max(to - rawRetentionMicros, from - lateness), level.bucketMicros);
                if (to > start) {
                    rollUp(c, level, start, to);
                    setWatermark(c, level, to);
                }
                marks.put(level, micros(Math.max(from, to)));
                upper = to;
            }
            c.commit();
            return marks;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static void rollUp(Connection c, Source level, long from, long to) throws SQLException {
        String width = switch (level) {
            case M1 -> "1 minute";
            case H1 -> "1 hour";
            default -> "1 day";
        };
        String select = level == Source.M1
                ? "SELECT date_bin('" + width + "', time, " + ORIGIN + "), series_id, count(*), sum(value), min(value),"
                + " max(value), sum(value * value), (array_agg(value ORDER BY time))[1],"
                + " (array_agg(value ORDER BY time DESC))[1] FROM samples WHERE time >= ? AND time < ? GROUP BY 1, 2"
                : "SELECT date_bin('" + width + "', bucket, " + ORIGIN + "), series_id, sum(count), sum(sum), min(min),"
                + " max(max), sum(sum_sq), (array_agg(first ORDER BY bucket))[1], (array_agg(last ORDER BY bucket DESC))[1]"
                + " FROM " + below(level).table + " WHERE bucket >= ? AND bucket < ? GROUP BY 1, 2";
        String sql = "INSERT INTO " + level.table + " (bucket, series_id, count, sum, min, max, sum_sq, first, last) "
                + select + " ON CONFLICT (series_id, bucket) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum,"
                + " min = EXCLUDED.min, max = EXCLUDED.max, sum_sq = EXCLUDED.sum_sq, first = EXCLUDED.first,"
                + " last = EXCLUDED.last";
        long t0 = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, ts(from));
            ps.setTimestamp(2, ts(to));
            int rows = ps.executeUpdate();
            log.debug("rollup refreshed [level={}, from={}, to={}, rows={}, ms={}]", level.label, micros(from),
                    micros(to), rows, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    static Source below(Source level) {
        return switch (level) {
            case H1 -> Source.M1;
            case D1 -> Source.H1;
            default -> Source.RAW;
        };
    }

    /** The level's watermark in micros, or {@code dflt} when it was never refreshed. */
    public static long watermark(Connection c, Source level, long dflt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT refreshed_to FROM rollup_state WHERE rollup = ?")) {
            ps.setString(1, level.label);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? toMicros(rs.getTimestamp(1)) : dflt;
            }
        }
    }

    private static void setWatermark(Connection c, Source level, long to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollup_state (rollup, refreshed_to) VALUES (?, ?)"
                + " ON CONFLICT (rollup) DO UPDATE SET refreshed_to = EXCLUDED.refreshed_to")) {
            ps.setString(1, level.label);
            ps.setTimestamp(2, ts(to));
            ps.executeUpdate();
        }
    }

    /** Deletes rollup rows older than the cut-off (the 1m level's retention). */
    public static int dropOlderThan(Connection c, Source level, long cutoffMicros) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + level.table + " WHERE bucket < ?")) {
            ps.setTimestamp(1, ts(cutoffMicros));
            return ps.executeUpdate();
        }
    }

    static long floor(long micros, long width) {
        return Math.floorDiv(micros, width) * width;
    }

    static Timestamp ts(long micros) {
        Timestamp t = new Timestamp(Math.floorDiv(micros, 1000));
        t.setNanos((int) Math.floorMod(micros, 1_000_000L) * 1000);
        return t;
    }

    /** Microseconds from 1970 to 2000-01-01, where PostgreSQL's timestamps count from. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    /**
     * A {@code timestamptz} column as epoch microseconds. Sent in binary it is 8 bytes, the
     * microseconds since 2000 (read directly: the driver's {@code getTimestamp} builds a Calendar
     * per value); sent as text, it is parsed by the driver.
     */
    static long micros(ResultSet rs, int column) throws SQLException {
        byte[] b = rs.getBytes(column);
        if (b != null && b.length == 8) {
            return fromPostgresMicros(ByteConverter.int8(b, 0));
        }
        return toMicros(rs.getTimestamp(column));
    }

    /** Epoch micros from PostgreSQL's binary timestamptz, micros since 2000-01-01. */
    static long fromPostgresMicros(long pg) {
        return PG_EPOCH_MICROS + pg;
    }

    static long toMicros(Timestamp t) {
        return Math.floorDiv(t.getTime(), 1000) * 1_000_000L + t.getNanos() / 1000;
    }

    static Instant micros(long m) {
        return Instant.ofEpochSecond(Math.floorDiv(m, 1_000_000L), Math.floorMod(m, 1_000_000L) * 1000);
    }
}
