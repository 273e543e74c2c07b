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

    private int n;
    /** Minute starts, ascending. */
    private long[] minute = new long[2];
    private long[] count = new long[2];
    private double[] sum = new double[2];
    private double[] min = new double[2];
    private double[] max = new double[2];
    private double[] sumSq = new double[2];
    private double[] first = new double[2];
    private long[] firstTime = new long[2];
    private double[] last = new double[2];
    private long[] lastTime = new long[2];
    private boolean[] dirty = new boolean[2];

    /** Folds one sample into its minute's cell; returns 1 when the cell was new, else 0. */
    int fold(long time, double value) {
        long m = Math.floorDiv(time, MINUTE) * MINUTE;
        int i = n - 1;
        while (i >= 0 && minute[i] > m) {
            i--; // samples mostly come in time order: the newest cell, or one before it
        }
        if (i >= 0 && minute[i] == m) {
            count[i]++;
            sum[i] += value;
            sumSq[i] += value * value;
            min[i] = Math.min(min[i], value);
            max[i] = Math.max(max[i], value);
            // As array_agg(value ORDER BY time): among equal times the first folded stays first, the last folded is last.
            if (time < firstTime[i]) {
                first[i] = value;
                firstTime[i] = time;
            }
            if (time >= lastTime[i]) {
                last[i] = value;
                lastTime[i] = time;
            }
            dirty[i] = true;
            return 0;
        }
        insert(i + 1, m, time, value);
        return 1;
    }

    private void insert(int at, long m, long time, double value) {
        if (n == minute.length) {
            int cap = n * 2;
            minute = Arrays.copyOf(minute, cap);
            count = Arrays.copyOf(count, cap);
            sum = Arrays.copyOf(sum, cap);
            min = Arrays.copyOf(min, cap);
            max = Arrays.copyOf(max, cap);
            sumSq = Arrays.copyOf(sumSq, cap);
            first = Arrays.copyOf(first, cap);
            firstTime = Arrays.copyOf(firstTime, cap);
            last = Arrays.copyOf(last, cap);
            lastTime = Arrays.copyOf(lastTime, cap);
            dirty = Arrays.copyOf(dirty, cap);
        }
        if (at < n) {
            int k = n - at;
            System.arraycopy(minute, at, minute, at + 1, k);
            System.arraycopy(count, at, count, at + 1, k);
            System.arraycopy(sum, at, sum, at + 1, k);
            System.arraycopy(min, at, min, at + 1, k);
            System.arraycopy(max, at, max, at + 1, k);
            System.arraycopy(sumSq, at, sumSq, at + 1, k);
            System.arraycopy(first, at, first, at + 1, k);
            System.arraycopy(firstTime, at, firstTime, at + 1, k);
            System.arraycopy(last, at, last, at + 1, k);
            System.arraycopy(lastTime, at, lastTime, at + 1, k);
            System.arraycopy(dirty, at, dirty, at + 1, k);
        }
        minute[at] = m;
        count[at] = 1;
        sum[at] = value;
        sumSq[at] = value * value;
        min[at] = value;
        max[at] = value;
        first[at] = value;
        firstTime[at] = time;
        last[at] = value;
        lastTime[at] = time;
        dirty[at] = true;
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
            if (dirty[i] && minute[i] < to) {
                out.add(seriesId, minute[i], count[i], sum[i], min[i], max[i], sumSq[i], first[i], last[i]);
                dirty[i] = false;
            }
            if (minute[i] >= dropBefore) {
                move(i, keep++);
            }
        }
        int dropped = n - keep;
        n = keep;
        return dropped;
    }

    private void move(int from, int to) {
        if (from == to) {
            return;
        }
        minute[to] = minute[from];
        count[to] = count[from];
        sum[to] = sum[from];
        min[to] = min[from];
        max[to] = max[from];
        sumSq[to] = sumSq[from];
        first[to] = first[from];
        firstTime[to] = firstTime[from];
        last[to] = last[from];
        lastTime[to] = lastTime[from];
        dirty[to] = dirty[from];
    }

    int size() {
        return n;
    }
}
