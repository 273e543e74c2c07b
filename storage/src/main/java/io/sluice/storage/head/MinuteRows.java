package io.sluice.storage.head;

import java.util.Arrays;

/**
 * 1-minute rollup rows taken from the head ({@link Head#collectMinutes}), as columns ready to be
 * sent to the database as arrays.
 */
public final class MinuteRows {
    private int n;
    private int[] seriesIds = new int[64];
    private long[] minutes = new long[64];
    private long[] counts = new long[64];
    private double[] sums = new double[64];
    private double[] mins = new double[64];
    private double[] maxes = new double[64];
    private double[] sumSqs = new double[64];
    private double[] firsts = new double[64];
    private double[] lasts = new double[64];

    void add(int seriesId, long minute, long count, double sum, double min, double max, double sumSq, double first,
             double last) {
        if (n == seriesIds.length) {
            int cap = n * 2;
            seriesIds = Arrays.copyOf(seriesIds, cap);
            minutes = Arrays.copyOf(minutes, cap);
            counts = Arrays.copyOf(counts, cap);
            sums = Arrays.copyOf(sums, cap);
            mins = Arrays.copyOf(mins, cap);
            maxes = Arrays.copyOf(maxes, cap);
            sumSqs = Arrays.copyOf(sumSqs, cap);
            firsts = Arrays.copyOf(firsts, cap);
            lasts = Arrays.copyOf(lasts, cap);
        }
        seriesIds[n] = seriesId;
        minutes[n] = minute;
        counts[n] = count;
        sums[n] = sum;
        mins[n] = min;
        maxes[n] = max;
        sumSqs[n] = sumSq;
        firsts[n] = first;
        lasts[n] = last;
        n++;
    }

    public int size() {
        return n;
    }

    public int seriesId(int i) {
        return seriesIds[i];
    }

    /** The row's minute, epoch microseconds. */
    public long minute(int i) {
        return minutes[i];
    }

    public long count(int i) {
        return counts[i];
    }

    public double sum(int i) {
        return sums[i];
    }

    public double min(int i) {
        return mins[i];
    }

    public double max(int i) {
        return maxes[i];
    }

    public double sumSq(int i) {
        return sumSqs[i];
    }

    public double first(int i) {
        return firsts[i];
    }

    public double last(int i) {
        return lasts[i];
    }
}
