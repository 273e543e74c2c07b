package io.sluice.storage.query;

import io.sluice.storage.metrics.Counter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The log of late and backfilled samples on plain PostgreSQL, as TimescaleDB
 * keeps an invalidation log for its continuous aggregates: a writer records, in the transaction
 * that commits the samples, the time ranges of those older than what the rollup refresh re-reads
 * anyway; the refresh takes the ranges and re-materialises their buckets at 1m, 1h and 1d.
 *
 * <p>The live path pays one comparison a row: samples of the last {@link #LIVE_WINDOW_MICROS}
 * are left to the refresh's own window. Without a head it re-reads raw samples from five minutes
 * behind its watermark, and the watermark is never more than a refresh behind now, so a sample
 * committed at time C with a time after C minus two minutes is read by the next refresh however
 * late that runs; three minutes are left for clocks that differ between nodes. With a head (one
 * node), such a sample is in its minute's aggregate, or its minute is named to the refresh when
 * the aggregate was let go ({@link Rollups}). Older samples are coalesced per batch into whole
 * minutes, at most {@link #MAX_RANGES} ranges (coarser when more), not a row per sample.
 */
public final class RollupInvalidations {
    public static final long LIVE_WINDOW_MICROS = 2 * 60_000_000L;
    static final int MAX_RANGES = 256;
    /** Rows the refresh takes in one run; a longer backlog is worked off run by run. */
    static final int TAKE_PER_RUN = 50_000;
    private static final long MINUTE = 60_000_000L;
    /** Range widths tried in turn when a batch touches more than {@link #MAX_RANGES} of the finer. */
    private static final long[] WIDTHS = {MINUTE, 10 * MINUTE, 60 * MINUTE, 1_440 * MINUTE, 7 * 1_440 * MINUTE,
            30 * 1_440 * MINUTE, 365 * 1_440 * MINUTE};

    private final Counter recorded;

    public RollupInvalidations(RollupMetrics metrics) {
        this.recorded = metrics.invalidatedRanges;
    }

    /**
     * Records the minutes touched by the batch's rows older than the live window, in the
     * caller's transaction. Rows whose series id is negative are not written and are skipped.
     *
     * @return ranges recorded
     */
    public int record(Connection c, long[] times, int[] seriesIds, int size, long nowMicros) throws SQLException {
        return recordOlderThan(c, times, seriesIds, size, nowMicros - LIVE_WINDOW_MICROS);
    }

    /**
     * Records the minutes touched by the rows older than {@code threshold}, in the caller's
     * transaction (the journal's flusher also covers what the head may have named missed, README
     * {@code write_ack}). Rows whose series id is negative are skipped.
     *
     * @return ranges recorded
     */
    public int recordOlderThan(Connection c, long[] times, int[] seriesIds, int size, long threshold) throws SQLException {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (times[i] < threshold && seriesIds[i] >= 0) {
                n++;
            }
        }
        if (n == 0) {
            return 0;
        }
        long[] minutes = new long[n];
        n = 0;
        for (int i = 0; i < size; i++) {
            if (times[i] < threshold && seriesIds[i] >= 0) {
                minutes[n++] = Math.floorDiv(times[i], MINUTE) * MINUTE;
            }
        }
        Arrays.sort(minutes);
        long[] ranges = null;
        for (long width : WIDTHS) {
            ranges = coalesce(minutes, width);
            if (ranges.length / 2 <= MAX_RANGES) {
                break;
            }
        }
        int count = ranges.length / 2;
        Long[] lo = new Long[count];
        Long[] hi = new Long[count];
        for (int i = 0; i < count; i++) {
            lo[i] = ranges[2 * i] / 1_000_000L;
            hi[i] = ranges[2 * i + 1] / 1_000_000L;
        }
        insert(c, lo, hi);
        recorded.add(count);
        return count;
    }

    /** Rows of {@code [lo[i], hi[i])}, in epoch seconds. */
    private static void insert(Connection c, Long[] lo, Long[] hi) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollup_invalidations (lo, hi)"
                + " SELECT to_timestamp(l), to_timestamp(h) FROM unnest(?::int8[], ?::int8[]) AS r(l, h)")) {
            ps.setArray(1, c.createArrayOf("int8", lo));
            ps.setArray(2, c.createArrayOf("int8", hi));
            ps.executeUpdate();
        }
    }

    /** Writes ranges back that the refresh took but leaves for a later transaction, in the caller's transaction. */
    static void put(Connection c, BucketRanges ranges) throws SQLException {
        if (ranges.isEmpty()) {
            return;
        }
        Long[] lo = new Long[ranges.size()];
        Long[] hi = new Long[ranges.size()];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = Math.floorDiv(ranges.lo(i), 1_000_000L);
            hi[i] = -Math.floorDiv(-ranges.hi(i), 1_000_000L);
        }
        insert(c, lo, hi);
    }

    /** Sorted bucket starts (minutes) as ranges of {@code width}-aligned buckets, touching ones merged. */
    static long[] coalesce(long[] sortedMinutes, long width) {
        long[] out = new long[16];
        int m = 0;
        for (long t : sortedMinutes) {
            long lo = Rollups.floor(t, width);
            if (m > 0 && lo <= out[m - 1]) {
                out[m - 1] = Math.max(out[m - 1], lo + width);
                continue;
            }
            if (m == out.length) {
                out = Arrays.copyOf(out, m * 2);
            }
            out[m++] = lo;
            out[m++] = lo + width;
        }
        return Arrays.copyOf(out, m);
    }

    /**
     * Takes (deletes and returns) up to {@link #TAKE_PER_RUN} recorded ranges, in the refresh's
     * transaction: should it fail, they are there for the next run.
     */
    static BucketRanges take(Connection c) throws SQLException {
        long[] pairs = new long[64];
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM rollup_invalidations WHERE ctid = ANY(ARRAY("
                + "SELECT ctid FROM rollup_invalidations LIMIT " + TAKE_PER_RUN + ")) RETURNING lo, hi");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (2 * n + 2 > pairs.length) {
                    pairs = Arrays.copyOf(pairs, pairs.length * 2);
                }
                pairs[2 * n] = Rollups.toMicros(rs.getTimestamp(1));
                pairs[2 * n + 1] = Rollups.toMicros(rs.getTimestamp(2));
                n++;
            }
        }
        return BucketRanges.ofPairs(pairs, n);
    }
}
