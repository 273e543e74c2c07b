package io.sluice.storage.query;

import io.sluice.storage.head.Head;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The head's samples of some series over a range, aggregated per bucket into the partial
 * aggregates a rollup row holds ({@code count, sum, min, max, last} and the time of {@code last}),
 * and handed to the database as arrays so that one statement combines them with the rollup's and
 * the raw samples' partials (README, "Hot tier and head").
 */
final class HeadBuckets {
    /** The partials as rows: one {@code UNION ALL} part, with 8 array parameters. */
    static final String SQL = "SELECT series_id, to_timestamp(0) + b * interval '1 microsecond' AS bucket, count, sum, min,"
            + " max, last, to_timestamp(0) + ltm * interval '1 microsecond' AS lt FROM unnest(?::int4[], ?::int8[], ?::int8[], ?::float8[],"
            + " ?::float8[], ?::float8[], ?::float8[], ?::int8[]) AS h(series_id, b, count, sum, min, max, last, ltm)";

    private final Integer[] ids;
    private final Long[] buckets;
    private final Long[] counts;
    private final Double[] sums;
    private final Double[] mins;
    private final Double[] maxes;
    private final Double[] lasts;
    private final Long[] lastTimes;

    private HeadBuckets(int n) {
        ids = new Integer[n];
        buckets = new Long[n];
        counts = new Long[n];
        sums = new Double[n];
        mins = new Double[n];
        maxes = new Double[n];
        lasts = new Double[n];
        lastTimes = new Long[n];
    }

    /** The partials of {@code refs} over {@code [from, to)} in buckets of {@code width} from the epoch, or null when none. */
    static HeadBuckets of(Head head, List<SeriesRef> refs, long from, long to, long width) {
        Agg agg = new Agg(width);
        for (SeriesRef r : refs) {
            agg.series(r.id());
            head.read(r.id(), from, to, agg);
            agg.close();
        }
        if (agg.n == 0) {
            return null;
        }
        HeadBuckets b = new HeadBuckets(agg.n);
        for (int i = 0; i < agg.n; i++) {
            b.ids[i] = agg.ids[i];
            b.buckets[i] = agg.buckets[i];
            b.counts[i] = agg.counts[i];
            b.sums[i] = agg.sums[i];
            b.mins[i] = agg.mins[i];
            b.maxes[i] = agg.maxes[i];
            b.lasts[i] = agg.lasts[i];
            b.lastTimes[i] = agg.lastTimes[i];
        }
        return b;
    }

    /** Binds the 8 arrays from parameter {@code first} on. */
    void bind(Connection c, PreparedStatement ps, int first) throws SQLException {
        int i = first;
        ps.setArray(i++, c.createArrayOf("int4", ids));
        ps.setArray(i++, c.createArrayOf("int8", buckets));
        ps.setArray(i++, c.createArrayOf("int8", counts));
        ps.setArray(i++, c.createArrayOf("float8", sums));
        ps.setArray(i++, c.createArrayOf("float8", mins));
        ps.setArray(i++, c.createArrayOf("float8", maxes));
        ps.setArray(i++, c.createArrayOf("float8", lasts));
        ps.setArray(i, c.createArrayOf("int8", lastTimes));
    }

    /** Folds one series' samples (in time order) into buckets. */
    private static final class Agg implements Head.Sink {
        final long width;
        int n;
        int id;
        boolean open;
        int[] ids = new int[64];
        long[] buckets = new long[64];
        long[] counts = new long[64];
        double[] sums = new double[64];
        double[] mins = new double[64];
        double[] maxes = new double[64];
        double[] lasts = new double[64];
        long[] lastTimes = new long[64];

        Agg(long width) {
            this.width = width;
        }

        void series(int seriesId) {
            id = seriesId;
            open = false;
        }

        void close() {
            if (open) {
                n++;
                open = false;
            }
        }

        @Override
        public void sample(long time, double value) {
            long b = Math.floorDiv(time, width) * width;
            if (open && buckets[n] != b) {
                close();
            }
            if (!open) {
                grow();
                ids[n] = id;
                buckets[n] = b;
                counts[n] = 0;
                sums[n] = 0;
                mins[n] = value;
                maxes[n] = value;
                open = true;
            }
            counts[n]++;
            sums[n] += value;
            mins[n] = Math.min(mins[n], value);
            maxes[n] = Math.max(maxes[n], value);
            lasts[n] = value; // in time order: the last one seen is the latest
            lastTimes[n] = time;
        }

        private void grow() {
            if (n == ids.length) {
                int m = n * 2;
                ids = java.util.Arrays.copyOf(ids, m);
                buckets = java.util.Arrays.copyOf(buckets, m);
                counts = java.util.Arrays.copyOf(counts, m);
                sums = java.util.Arrays.copyOf(sums, m);
                mins = java.util.Arrays.copyOf(mins, m);
                maxes = java.util.Arrays.copyOf(maxes, m);
                lasts = java.util.Arrays.copyOf(lasts, m);
                lastTimes = java.util.Arrays.copyOf(lastTimes, m);
            }
        }
    }
}
