package io.sluice.storage.head;

import java.util.Arrays;

/**
 * One series' recent samples in the head: two growable columns, appended by writers after their
 * commit, read by queries; every method holds the series' monitor (writers of different requests
 * may append to one series at once). Samples mostly arrive in time order; a sample older than the
 * newest one held marks the series unsorted, and reads then sort what they copy out.
 */
final class SeriesHead {
    /** Slots a series gets first; it doubles from there, so a quiet series costs 128 bytes. */
    static final int FIRST = 8;

    private long[] times = new long[FIRST];
    private double[] values = new double[FIRST];
    private int size;
    private boolean unsorted;

    /** @return slots newly allocated (to be counted against the head's bound) */
    synchronized int append(long time, double value) {
        int grown = 0;
        if (size == times.length) {
            int n = times.length * 2;
            times = Arrays.copyOf(times, n);
            values = Arrays.copyOf(values, n);
            grown = n - size;
        }
        if (size > 0 && time < times[size - 1]) {
            unsorted = true;
        }
        times[size] = time;
        values[size++] = value;
        return grown;
    }

    /** Samples held. */
    synchronized int size() {
        return size;
    }

    /** Slots allocated. */
    synchronized int capacity() {
        return times.length;
    }

    /**
     * Drops samples older than {@code from} and shrinks the columns to fit what stays.
     *
     * @return slots released
     */
    synchronized int dropBefore(long from) {
        int keep = 0;
        for (int i = 0; i < size; i++) {
            if (times[i] >= from) {
                times[keep] = times[i];
                values[keep++] = values[i];
            }
        }
        size = keep;
        int before = times.length;
        int cap = FIRST;
        while (cap < size) {
            cap *= 2;
        }
        if (cap < before) {
            times = Arrays.copyOf(times, cap);
            values = Arrays.copyOf(values, cap);
        }
        return before - times.length;
    }

    /** Copies samples with {@code lo <= time < hi} into {@code out}, in time order. */
    synchronized void read(long lo, long hi, Head.Sink out) {
        if (!unsorted) {
            int i = firstAtOrAfter(lo);
            for (; i < size && times[i] < hi; i++) {
                out.sample(times[i], values[i]);
            }
            return;
        }
        sort();
        read(lo, hi, out);
    }

    /** Calls {@code out} with the newest sample held, if any. */
    synchronized void latest(Head.Sink out) {
        if (size == 0) {
            return;
        }
        int best = size - 1;
        if (unsorted) {
            for (int i = 0; i < size; i++) {
                if (times[i] > times[best]) {
                    best = i;
                }
            }
        }
        out.sample(times[best], values[best]);
    }

    /** Sorts the columns by time (stable: samples with equal times keep their order). */
    private void sort() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        long[] t = times;
        Arrays.sort(order, (a, b) -> Long.compare(t[a], t[b]));
        long[] nt = new long[times.length];
        double[] nv = new double[values.length];
        for (int i = 0; i < size; i++) {
            nt[i] = times[order[i]];
            nv[i] = values[order[i]];
        }
        times = nt;
        values = nv;
        unsorted = false;
    }

    private int firstAtOrAfter(long lo) {
        int a = 0;
        int b = size;
        while (a < b) {
            int m = (a + b) >>> 1;
            if (times[m] < lo) {
                a = m + 1;
            } else {
                b = m;
            }
        }
        return a;
    }
}
