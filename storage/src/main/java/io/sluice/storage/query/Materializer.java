package io.sluice.storage.query;

import io.sluice.storage.db.Partitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recomputes the buckets of one rollup level from the level below ({@code INSERT ... SELECT ...
 * ON CONFLICT DO UPDATE}), so that one bucket or series that cannot be computed never holds back
 * the others.
 *
 * <p>A statement that fails with a data exception (SQLSTATE class 22, e.g. {@code value out of
 * range: overflow}) is rolled back to its savepoint and retried in halves: first the buckets,
 * down to one, then the series of that bucket, down to one. That single series' bucket is then
 * skipped: counted in {@code sluice_rollup_buckets_skipped_total}, logged the first time, and left
 * out of the rollup, while the watermark moves past it. Any other failure (connection lost,
 * timeout) fails the refresh as a whole, to be retried.
 */
final class Materializer {
    private static final Logger log = LoggerFactory.getLogger(Materializer.class);
    /** Skipped cells remembered so each is counted and logged once (bounded: oldest forgotten). */
    private static final int REMEMBERED = 10_000;
    /** WARN lines per refresh at most; the rest are summarised. */
    private static final int LOGGED_PER_RUN = 10;

    private final RollupMetrics metrics;
    private final Map<String, Boolean> reported = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private int loggedThisRun;
    private int newThisRun;

    Materializer(RollupMetrics metrics) {
        this.metrics = metrics;
    }

    /** Starts a refresh run (for the per-run log limit). */
    void begin() {
        loggedThisRun = 0;
        newThisRun = 0;
    }

    /** Ends a run: one summary line for what was not logged one by one. */
    void end() {
        if (newThisRun > loggedThisRun) {
            log.warn("rollup buckets skipped, more than were logged [skipped={}, logged={}]", newThisRun, loggedThisRun);
        }
    }

    /**
     * Recomputes {@code level} over {@code ranges} (aligned to its buckets). Raw samples are read
     * one day partition at a time, so a statement scans one partition.
     */
    void run(Connection c, Source level, BucketRanges ranges) throws SQLException {
        if (ranges.isEmpty()) {
            return;
        }
        List<BucketRanges> pieces = level == Source.M1 ? ranges.splitAt(Partitions.DAY_MICROS) : List.of(ranges);
        for (BucketRanges piece : pieces) {
            attempt(c, level, piece, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
    }

    private void attempt(Connection c, Source level, BucketRanges ranges, int seriesLo, int seriesHi)
            throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            execute(c, level, ranges, seriesLo, seriesHi);
            c.releaseSavepoint(sp);
            return;
        } catch (SQLException e) {
            c.rollback(sp);
            if (e.getSQLState() == null || !e.getSQLState().startsWith("22")) {
                throw e;
            }
            if (ranges.buckets(level.bucketMicros) > 1) {
                for (BucketRanges half : ranges.halves(level.bucketMicros)) {
                    attempt(c, level, half, seriesLo, seriesHi);
                }
            } else if (seriesLo == Integer.MIN_VALUE && seriesHi == Integer.MAX_VALUE) {
                // One bucket: now by series, from the ids that exist (and any created meanwhile).
                int[] ids = seriesIds(c);
                if (ids != null) {
                    attempt(c, level, ranges, ids[0], ids[1]);
                    if (ids[1] < Integer.MAX_VALUE) {
                        attempt(c, level, ranges, ids[1] + 1, Integer.MAX_VALUE);
                    }
                }
            } else if (seriesLo < seriesHi) {
                int mid = (int) (((long) seriesLo + seriesHi) >> 1);
                attempt(c, level, ranges, seriesLo, mid);
                attempt(c, level, ranges, mid + 1, seriesHi);
            } else {
                skipped(level, ranges.min(), seriesLo, e);
            }
        }
    }

    private static void execute(Connection c, Source level, BucketRanges ranges, int seriesLo, int seriesHi)
            throws SQLException {
        String time = level == Source.M1 ? "time" : "bucket";
        // Raw samples through samples_between (schema/010_blocks.postgres.sql): the bounds narrow
        // both the rows and the hot blocks, as the condition on bucket narrows a rollup.
        StringBuilder where = new StringBuilder(level == Source.M1 ? "true" : time + " >= ? AND " + time + " < ?");
        if (ranges.size() > 1) {
            where.append(" AND ").append(time).append(" <@ ?::tstzmultirange");
        }
        boolean bySeries = seriesLo != Integer.MIN_VALUE || seriesHi != Integer.MAX_VALUE;
        if (bySeries) {
            where.append(" AND series_id BETWEEN ? AND ?");
        }
        String width = switch (level) {
            case M1 -> "1 minute";
            case H1 -> "1 hour";
            default -> "1 day";
        };
        String select = level == Source.M1
                ? "SELECT date_bin('" + width + "', time, " + Rollups.ORIGIN + "), series_id, count(*), sum(value),"
                + " min(value), max(value), sum(value * value), (array_agg(value ORDER BY time))[1],"
                + " (array_agg(value ORDER BY time DESC))[1] FROM samples_between(?, ?) WHERE " + where + " GROUP BY 1, 2"
                : "SELECT date_bin('" + width + "', bucket, " + Rollups.ORIGIN + "), series_id, sum(count), sum(sum),"
                + " min(min), max(max), sum(sum_sq), (array_agg(first ORDER BY bucket))[1],"
                + " (array_agg(last ORDER BY bucket DESC))[1] FROM " + Rollups.below(level).table + " WHERE " + where
                + " GROUP BY 1, 2";
        String sql = "INSERT INTO " + level.table + " (bucket, series_id, count, sum, min, max, sum_sq, first, last) "
                + select + " ON CONFLICT (series_id, bucket) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum,"
                + " min = EXCLUDED.min, max = EXCLUDED.max, sum_sq = EXCLUDED.sum_sq, first = EXCLUDED.first,"
                + " last = EXCLUDED.last";
        long t0 = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setTimestamp(i++, Rollups.ts(ranges.min()));
            ps.setTimestamp(i++, Rollups.ts(ranges.max()));
            if (ranges.size() > 1) {
                ps.setString(i++, ranges.multirange());
            }
            if (bySeries) {
                ps.setInt(i++, seriesLo);
                ps.setInt(i, seriesHi);
            }
            int rows = ps.executeUpdate();
            log.debug("rollup refreshed [level={}, ranges={}, rows={}, ms={}]", level.label, ranges, rows,
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** The smallest and largest series id, or null when there is none. */
    private static int[] seriesIds(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT min(id), max(id) FROM series")) {
            rs.next();
            int lo = rs.getInt(1);
            return rs.wasNull() ? null : new int[] {lo, rs.getInt(2)};
        }
    }

    private void skipped(Source level, long bucket, int seriesId, SQLException e) {
        String key = level.label + "/" + bucket + "/" + seriesId;
        if (reported.put(key, Boolean.TRUE) != null) {
            return; // seen before: the lateness window reads it again
        }
        metrics.skipped(level).inc();
        newThisRun++;
        if (loggedThisRun < LOGGED_PER_RUN) {
            loggedThisRun++;
            log.warn("rollup bucket skipped: it cannot be computed, the rest of the rollup goes on [level={}, bucket={},"
                    + " seriesId={}, error={}]", level.label, Rollups.micros(bucket), seriesId, e.getMessage());
        }
    }
}
