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
 * little late are folded in, up to the last whole bucket before {@code now - lag}. The buckets are
 * computed by {@link Materializer}, which skips (and counts) a bucket that cannot be computed
 * rather than fail the whole refresh again and again.
 *
 * <p>On TimescaleDB the same relations are continuous aggregates kept by policies; this class
 * is not used there. Queries add what is newer than the watermark from raw samples (real-time
 * aggregation), so a chart has no hole at its right edge either way.
 */
public final class Rollups {
    private static final Logger log = LoggerFactory.getLogger(Rollups.class);
    static final String ORIGIN = "TIMESTAMPTZ '1970-01-01 00:00:00+00'";
    /**
     * Its own advisory lock key: it once shared the key of partition compaction's session lock,
     * so every refresh was skipped while a day's index was being rebuilt (minutes).
     */
    private static final long LOCK_KEY = 0x51_75_69_63_65_00_00_04L;

    private final long rawRetentionMicros;
    private final long retention1mMicros;
    private final RollupMetrics metrics;
    private final Materializer materializer;

    /** @param rawRetentionMicros how far back a first refresh starts */
    public Rollups(long rawRetentionMicros) {
        this(rawRetentionMicros, Long.MAX_VALUE / 4, new RollupMetrics(new io.sluice.storage.metrics.Metrics()));
    }

    /**
     * @param rawRetentionMicros raw samples kept: how far back a first refresh starts, and how far
     *                           back late samples are re-materialised at 1m
     * @param retention1mMicros  1-minute rollups kept: how far back an hour may be recomputed
     */
    public Rollups(long rawRetentionMicros, long retention1mMicros, RollupMetrics metrics) {
        this.rawRetentionMicros = rawRetentionMicros;
        this.retention1mMicros = retention1mMicros;
        this.metrics = metrics;
        this.materializer = new Materializer(metrics);
    }

    /**
     * Refreshes every level up to {@code now}; returns each level's new watermark. Besides each
     * level's window behind its watermark, the buckets that late and backfilled samples touched
     * ({@link RollupInvalidations}) are recomputed, at 1m and then at the 1h and 1d buckets
     * holding them. A bucket that cannot be computed is skipped and counted, never retried
     * forever ({@link Materializer}).
     */
    public synchronized Map<Source, Instant> refresh(Connection c, Instant now) throws SQLException {
        Map<Source, Instant> marks = new EnumMap<>(Source.class);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        materializer.begin();
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ")");
                 ResultSet rs = lock.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    c.rollback();
                    return marks; // another node is refreshing
                }
            }
            long nowMicros = toMicros(now);
            BucketRanges late = RollupInvalidations.take(c);
            if (!late.isEmpty()) {
                log.info("late samples: re-materialising their rollup buckets [ranges={}, from={}, to={}]", late.size(),
                        micros(late.min()), micros(late.max()));
            }
            // What changed in the level below: for 1m, the raw samples that arrived late.
            BucketRanges changed = late;
            // 1m trails raw by 10 s of lag; each higher level goes no further than the one below.
            long upper = floor(nowMicros - 10_000_000L, Source.M1.bucketMicros);
            for (Source level : new Source[] {Source.M1, Source.H1, Source.D1}) {
                long to = floor(upper, level.bucketMicros);
                long from = watermark(c, level, to - rawRetentionMicros);
                long lateness = level == Source.M1 ? 5 * 60_000_000L : level.bucketMicros;
                long start = floor(Math.max(to - rawRetentionMicros, from - lateness), level.bucketMicros);
                BucketRanges regular = BucketRanges.of(start, to);
                // Only where the level below is still whole: raw within its retention for 1m,
                // 1m within its retention for 1h (1h is kept for ever).
                long complete = switch (level) {
                    case M1 -> nowMicros - rawRetentionMicros;
                    case H1 -> nowMicros - retention1mMicros;
                    default -> Long.MIN_VALUE / 2;
                };
                BucketRanges ranges = regular.union(changed.widen(level.bucketMicros)
                        .clamp(-floor(-complete, level.bucketMicros), to));
                materializer.run(c, level, ranges);
                if (to > start) {
                    setWatermark(c, level, to);
                }
                marks.put(level, micros(Math.max(from, to)));
                changed = ranges;
                upper = to;
            }
            c.commit();
            marks.forEach((level, mark) -> metrics.watermark(level, toMicros(mark)));
            metrics.refreshes.inc();
            return marks;
        } catch (SQLException | RuntimeException e) {
            metrics.failures.inc();
            c.rollback();
            throw e;
        } finally {
            materializer.end();
            c.setAutoCommit(auto);
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

    static long toMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    static long toMicros(Timestamp t) {
        return Math.floorDiv(t.getTime(), 1000) * 1_000_000L + t.getNanos() / 1000;
    }

    static Instant micros(long m) {
        return Instant.ofEpochSecond(Math.floorDiv(m, 1_000_000L), Math.floorMod(m, 1_000_000L) * 1000);
    }
}
