package io.sluice.storage.query;

import io.sluice.storage.db.Partitions;
import io.sluice.storage.head.Head;
import io.sluice.storage.head.MinuteRows;
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
 * <p>On one node with a head ({@link #fromHead}), the 1-minute buckets of the minutes the head's
 * aggregates cover are not read from raw samples again: the head folds every committed sample into
 * its minute's aggregate, and the refresh writes the aggregates that changed since the last run
 * ({@link HeadRollup}). Raw samples are still read for what the head does not cover: minutes before
 * its aggregates start (a restart, the aggregates' memory bound), minutes it names as missed, and
 * the ranges of the invalidation log (late and backfilled samples).
 *
 * <p>Each part runs in a transaction of its own, so none is long: the invalidation log's ranges
 * one day at a time (1m, then the 1h and 1d buckets holding them), the 1-minute window a day at a
 * time, then 1h and 1d. A concurrent index build of the sealer waits for every transaction that
 * was open when it started; a refresh in one transaction held seals for up to 42 s
 * (docs/BENCHMARKS.md).
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
    private static final long MINUTE = 60_000_000L;
    /** 1m trails raw by this much: a minute is refreshed once it has been over for 10 s. */
    private static final long LAG_MICROS = 10_000_000L;
    /**
     * How far behind its watermark the 1-minute window starts when raw samples are its only source
     * (several nodes, or no head). A sample newer than its writer's clock minus
     * {@link RollupInvalidations#LIVE_WINDOW_MICROS} is not in the invalidation log; this window
     * reads it as long as its commit ends within three minutes of that clock reading, and allows
     * three minutes between the clocks of nodes.
     */
    static final long LATENESS_SQL = 5 * MINUTE;
    /**
     * The same with a head, on one node: one clock, and a sample that reaches the head after its
     * minute's aggregate was let go names its minute to the next refresh ({@link Head#takeMissedMinutes}).
     * What is left to the window is a sample committed but not yet in the head when the process
     * is killed: it is read after the restart if its COPY and commit took under a minute.
     */
    static final long LATENESS_HEAD = 3 * MINUTE;
    /** The head's aggregates are kept this long behind the 1-minute watermark, for samples late by less. */
    static final long HEAD_KEEP = 5 * MINUTE;
    /** The invalidation log is worked off a day a transaction, for at most this long a run. */
    private static final long LATE_BUDGET_NANOS = 120_000_000_000L;

    private final long rawRetentionMicros;
    private final long retention1mMicros;
    private final RollupMetrics metrics;
    private final Materializer materializer;
    /** The head whose 1-minute aggregates are the 1m level's newest minutes, or null. */
    private volatile Head head;

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
     * Takes the newest 1-minute buckets from {@code head}'s aggregates ({@link Head#minutesFrom()}
     * on). Only for a head that every committed sample reaches: one node writing the database.
     */
    public void fromHead(Head head) {
        this.head = head;
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
        c.setAutoCommit(true);
        if (!lock(c)) {
            c.setAutoCommit(auto);
            return marks; // another node is refreshing
        }
        materializer.begin();
        try {
            c.setAutoCommit(false);
            long nowMicros = toMicros(now);
            long to1m = floor(nowMicros - LAG_MICROS, MINUTE);
            refreshLate(c, nowMicros, to1m);
            long upper = refreshMinutes(c, nowMicros, to1m, marks);
            for (Source level : new Source[] {Source.H1, Source.D1}) {
                upper = refreshLevel(c, level, nowMicros, upper, marks);
            }
            marks.forEach((level, mark) -> metrics.watermark(level, toMicros(mark)));
            metrics.refreshes.inc();
            return marks;
        } catch (SQLException | RuntimeException e) {
            metrics.failures.inc();
            rollbackQuietly(c);
            throw e;
        } finally {
            materializer.end();
            c.setAutoCommit(true);
            unlock(c);
            c.setAutoCommit(auto);
        }
    }

    /**
     * The invalidation log's ranges and the minutes the head names as missed: one day of them a
     * transaction (the rest written back to the log in it), recomputed at 1m and then at the 1h and
     * 1d buckets holding them.
     */
    private void refreshLate(Connection c, long nowMicros, long to1m) throws SQLException {
        Head h = head;
        long[] missed = h == null ? new long[0] : h.takeMissedMinutes();
        long t0 = System.nanoTime();
        boolean first = true;
        try {
            while (true) {
                BucketRanges late = RollupInvalidations.take(c);
                if (first) {
                    BucketRanges named = BucketRanges.ofPairs(missed, missed.length / 2);
                    if (!named.isEmpty()) {
                        metrics.headMissedMinutes.add(named.buckets(MINUTE));
                        log.info("samples reached the head after their minute was rolled up: those minutes from raw samples"
                                + " [ranges={}, from={}, to={}]", named.size(), micros(named.min()), micros(named.max()));
                    }
                    if (!late.isEmpty()) {
                        log.info("late samples: re-materialising their rollup buckets [ranges={}, from={}, to={}]",
                                late.size(), micros(late.min()), micros(late.max()));
                    }
                    late = late.union(named);
                }
                if (late.isEmpty()) {
                    c.commit();
                    return;
                }
                long dayEnd = floor(late.min(), Partitions.DAY_MICROS) + Partitions.DAY_MICROS;
                BucketRanges day = late.clamp(late.min(), dayEnd);
                BucketRanges rest = late.clamp(dayEnd, late.max());
                RollupInvalidations.put(c, rest);
                BucketRanges changed = day.clamp(-floor(-(nowMicros - rawRetentionMicros), MINUTE), to1m);
                materializer.run(c, Source.M1, changed);
                long upper = to1m;
                for (Source level : new Source[] {Source.H1, Source.D1}) {
                    long to = floor(upper, level.bucketMicros);
                    changed = changed.widen(level.bucketMicros).clamp(-floor(-complete(level, nowMicros),
                            level.bucketMicros), to);
                    materializer.run(c, level, changed);
                    upper = to;
                }
                c.commit();
                first = false;
                if (rest.isEmpty() || System.nanoTime() - t0 > LATE_BUDGET_NANOS) {
                    return;
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (first && h != null && missed.length > 0) {
                rollbackQuietly(c);
                h.missRanges(missed);
            }
            throw e;
        }
    }

    /**
     * The 1-minute level's window: from raw samples where the head's aggregates do not cover it,
     * a day a transaction, then the head's aggregates that changed, in a last transaction that
     * moves the watermark to {@code to}. Returns {@code to}.
     */
    private long refreshMinutes(Connection c, long nowMicros, long to, Map<Source, Instant> marks) throws SQLException {
        Head h = head;
        long covered = h == null ? Long.MAX_VALUE : h.minutesFrom();
        long from = watermark(c, Source.M1, to - rawRetentionMicros);
        long lateness = covered == Long.MAX_VALUE ? LATENESS_SQL : LATENESS_HEAD;
        long start = floor(Math.max(to - rawRetentionMicros, from - lateness), MINUTE);
        // Raw samples where the head does not cover the window, a day at a time.
        long rawTo = covered == Long.MAX_VALUE ? to : Math.min(to, Math.max(start, -floor(-covered, MINUTE)));
        for (BucketRanges day : BucketRanges.of(start, rawTo).splitAt(Partitions.DAY_MICROS)) {
            materializer.run(c, Source.M1, day);
            setWatermark(c, Source.M1, Math.max(from, day.max()));
            c.commit();
        }
        if (h != null && covered != Long.MAX_VALUE) {
            MinuteRows rows = new MinuteRows();
            try {
                if (h.collectMinutes(to, to - HEAD_KEEP, rows)) {
                    long[] notFinite = HeadRollup.write(c, rows);
                    metrics.headRows.add(rows.size() - notFinite.length);
                    // After the aggregates were taken: a sample committed since is in the raw read or in the next run.
                    materializer.run(c, Source.M1, BucketRanges.ofPairs(pairs(notFinite), notFinite.length));
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                long[] minutes = new long[rows.size()];
                for (int i = 0; i < minutes.length; i++) {
                    minutes[i] = rows.minute(i);
                }
                h.missMinutes(minutes); // written by the next run from raw samples
                throw e;
            }
        }
        if (to > start) {
            setWatermark(c, Source.M1, to);
        }
        c.commit();
        marks.put(Source.M1, micros(Math.max(from, to)));
        return to;
    }

    /** One level above 1m: its window behind its watermark, from the level below, in one transaction. */
    private long refreshLevel(Connection c, Source level, long nowMicros, long upper, Map<Source, Instant> marks)
            throws SQLException {
        long to = floor(upper, level.bucketMicros);
        long from = watermark(c, level, to - rawRetentionMicros);
        long start = floor(Math.max(to - rawRetentionMicros, from - level.bucketMicros), level.bucketMicros);
        materializer.run(c, level, BucketRanges.of(start, to)
                .clamp(-floor(-complete(level, nowMicros), level.bucketMicros), to));
        if (to > start) {
            setWatermark(c, level, to);
        }
        c.commit();
        marks.put(level, micros(Math.max(from, to)));
        return to;
    }

    /** Where the level below is still whole: raw within its retention for 1m, 1m within its retention for 1h. */
    private long complete(Source level, long nowMicros) {
        return switch (level) {
            case M1 -> nowMicros - rawRetentionMicros;
            case H1 -> nowMicros - retention1mMicros;
            default -> Long.MIN_VALUE / 2;
        };
    }

    private static boolean lock(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")");
             ResultSet rs = lock.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void unlock(Connection c) {
        try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(" + LOCK_KEY + ")")) {
            unlock.execute();
        } catch (SQLException e) {
            // a connection that broke has let go of its session locks already
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // a broken connection rolled back already
        }
    }

    /** Minute starts as {@code [m, m + 1 minute)} pairs. */
    private static long[] pairs(long[] minuteStarts) {
        long[] out = new long[2 * minuteStarts.length];
        for (int i = 0; i < minuteStarts.length; i++) {
            out[2 * i] = minuteStarts[i];
            out[2 * i + 1] = minuteStarts[i] + MINUTE;
        }
        return out;
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
