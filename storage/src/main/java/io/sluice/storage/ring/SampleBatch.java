package io.sluice.storage.ring;

import io.sluice.codec.SeriesKey;

import java.util.Arrays;

/**
 * Samples of one request or datagram, decoded and resolved but not yet published: columns that
 * grow as needed and are reused via {@link #clear()}, so a steady stream allocates nothing.
 */
public final class SampleBatch {
    private int[] seriesIds;
    private SeriesKey[] newKeys;
    private long[] times;
    private double[] values;
    private long[] steps;
    private int size;

    public SampleBatch(int initialCapacity) {
        int c = Math.max(16, initialCapacity);
        seriesIds = new int[c];
        newKeys = new SeriesKey[c];
        times = new long[c];
        values = new double[c];
        steps = new long[c];
    }

    public void add(int seriesId, SeriesKey newKey, long timeMicros, double value, long step) {
        if (size == times.length) {
            grow();
        }
        seriesIds[size] = seriesId;
        newKeys[size] = newKey;
        times[size] = timeMicros;
        values[size] = value;
        steps[size] = step;
        size++;
    }

    public int size() {
        return size;
    }

    public int seriesId(int i) {
        return seriesIds[i];
    }

    public SeriesKey newKey(int i) {
        return newKeys[i];
    }

    public long time(int i) {
        return times[i];
    }

    public double value(int i) {
        return values[i];
    }

    public long step(int i) {
        return steps[i];
    }

    public void clear() {
        // Drop references so a reused batch does not pin keys; ids and numbers need no clearing.
        Arrays.fill(newKeys, 0, size, null);
        size = 0;
    }

    /** Copies samples {@code [from, from+n)} into a ring slot's columns. */
    void copyTo(int from, int n, SampleEvent e) {
        System.arraycopy(seriesIds, from, e.seriesIds, 0, n);
        System.arraycopy(newKeys, from, e.newKeys, 0, n);
        System.arraycopy(times, from, e.times, 0, n);
        System.arraycopy(values, from, e.values, 0, n);
        System.arraycopy(steps, from, e.steps, 0, n);
    }

    /** A copy holding samples [from, size), for a publish that must resume later. */
    public SampleBatch copyFrom(int from) {
        SampleBatch b = new SampleBatch(size - from);
        for (int i = from; i < size; i++) {
            b.add(seriesIds[i], newKeys[i], times[i], values[i], steps[i]);
        }
        return b;
    }

    private void grow() {
        int c = times.length * 2;
        seriesIds = Arrays.copyOf(seriesIds, c);
        newKeys = Arrays.copyOf(newKeys, c);
        times = Arrays.copyOf(times, c);
        values = Arrays.copyOf(values, c);
        steps = Arrays.copyOf(steps, c);
    }
}
