package io.sluice.storage.query;

import java.util.Arrays;

/** A series' points as two growable columns: times (epoch micros) and values. */
public final class Points {
    long[] times;
    double[] values;
    int size;

    public Points(int capacity) {
        times = new long[Math.max(16, capacity)];
        values = new double[Math.max(16, capacity)];
    }

    public void add(long time, double value) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        times[size] = time;
        values[size++] = value;
    }

    public int size() {
        return size;
    }

    public long time(int i) {
        return times[i];
    }

    public double value(int i) {
        return values[i];
    }

    /** Largest-Triangle-Three-Buckets to at most {@code n} points. */
    public Points lttb(int n) {
        if (n >= size) {
            return this;
        }
        Points out = new Points(n);
        out.size = Lttb.downsample(times, values, size, n, out.times, out.values);
        return out;
    }
}
