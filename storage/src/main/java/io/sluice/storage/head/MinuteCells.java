package io.sluice.storage.head;

import java.util.Arrays;

/**
 * One series' 1-minute aggregates of its committed samples, the values a {@code samples_1m} row
 * holds (README, "Ask for it": rollups): count, sum, min, max, sum of squares, first and last value. Each
 * cell is the whole of its minute (the head folds every committed sample of a minute it covers),
 * so writing it over the rollup row is right however often it is written. A cell changed since it
 * was last collected is dirty. Kept under the owning {@link SeriesHead}'s monitor.
 */
final class MinuteCells {
    static final long MINUTE = 60_000_000L;
    /**
     * A cell's longs in {@link #l}: its minute's start, count, the first sample's time, the last
     * sample's time, dirty (1) or not (0); its doubles in {@link #d}: sum, min, max, sum of
     * squares, first and last value. A cell lies together in the two arrays, so folding a sample
     * touches two or three cache lines rather than one per column: with a thousand series and a
     * few samples of each a request, those misses were most of the fold's cost
     * (docs/BENCHMARKS.md "Round 6").
     */
    private static final int L = 5;
    private static final int D = 6;
    private static final int START = 0;
    private static final int COUNT = 1;
    private static final int FIRST_TIME = 2;
    private static final int LAST_TIME = 3;
    private static final int DIRTY = 4;
    private static final int SUM = 0;
    private static final int MIN = 1;
    private static final int MAX = 2;
    private static final int SUM_SQ = 3;
    private static final int FIRST = 4;
    private static final int LAST = 5;

    private int n;
    /** Cells in ascending minute. */
    private long[] l = new long[2 * L];
    private double[] d = new double[2 * D];

    /** Folds one sample into its minute's cell; returns 1 when the cell was new, else 0. */
    int fold(long time, double value) {
        long m = Math.floorDiv(time, MINUTE) * MINUTE;
        int i = n - 1;
        while (i >= 0 && l[i * L + START] > m) {
            i--; // samples mostly come in time order: the newest cell, or one before it
        }
        if (i >= 0 && l[i * L + START] == m) {
            int a = i * L;
            int b = i * D;
            l[a + COUNT]++;
            d[b + SUM] += value;
            d[b + SUM_SQ] += value * value;
            d[b + MIN] = Math.min(d[b + MIN], value);
            d[b + MAX] = Math.max(d[b + MAX], value);
            // As array_agg(value ORDER BY time): among equal times the first folded stays first, the last folded is last.
            if (time < l[a + FIRST_TIME]) {
                d[b + FIRST] = value;
                l[a + FIRST_TIME] = time;
            }
            if (time >= l[a + LAST_TIME]) {
                d[b + LAST] = value;
                l[a + LAST_TIME] = time;
            }
            l[a + DIRTY] = 1;
            return 0;
        }
        insert(i + 1, m, time, value);
        return 1;
    }

    private void insert(int at, long m, long time, double value) {
        if ((n + 1) * L > l.length) {
            l = Arrays.copyOf(l, 2 * n * L);
            d = Arrays.copyOf(d, 2 * n * D);
        }
        if (at < n) {
            System.arraycopy(l, at * L, l, (at + 1) * L, (n - at) * L);
            System.arraycopy(d, at * D, d, (at + 1) * D, (n - at) * D);
        }
        int a = at * L;
        int b = at * D;
        l[a + START] = m;
        l[a + COUNT] = 1;
        l[a + FIRST_TIME] = time;
        l[a + LAST_TIME] = time;
        l[a + DIRTY] = 1;
        d[b + SUM] = value;
        d[b + SUM_SQ] = value * value;
        d[b + MIN] = value;
        d[b + MAX] = value;
        d[b + FIRST] = value;
        d[b + LAST] = value;
        n++;
    }

    /**
     * Adds the dirty cells of minutes before {@code to} to {@code out} (they are clean then), and
     * drops the cells of minutes before {@code dropBefore} (at most {@code to}).
     *
     * @return cells dropped
     */
    int collect(int seriesId, long to, long dropBefore, MinuteRows out) {
        int keep = 0;
        for (int i = 0; i < n; i++) {
            int a = i * L;
            int b = i * D;
            if (l[a + DIRTY] != 0 && l[a + START] < to) {
                out.add(seriesId, l[a + START], l[a + COUNT], d[b + SUM], d[b + MIN], d[b + MAX], d[b + SUM_SQ],
                        d[b + FIRST], d[b + LAST]);
                l[a + DIRTY] = 0;
            }
            if (l[a + START] >= dropBefore) {
                if (keep != i) {
                    System.arraycopy(l, a, l, keep * L, L);
                    System.arraycopy(d, b, d, keep * D, D);
                }
                keep++;
            }
        }
        int dropped = n - keep;
        n = keep;
        return dropped;
    }

    int size() {
        return n;
    }
}
