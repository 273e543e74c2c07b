package io.sluice.storage.head;

import java.util.Arrays;

/**
 * Whole blocks ({@link SeriesHead#BLOCK} samples: a time column and a value column) the head let
 * go of, kept so that a series growing again takes one of them instead of new arrays. At a steady
 * rate the head lets go of its oldest blocks (sealing, memory pressure) as fast as it needs new
 * ones; without the pool each block was allocated, lived long enough to reach the old generation,
 * and was then left to a full collection (docs/BENCHMARKS.md, "Round 8"). A pooled block's slots
 * stay counted in the head's bound; they hold no sample, and the head drops the pool before it
 * lets go of samples for memory. Thread-safe: series of several writers grow at once.
 */
final class BlockPool {
    private final int capacity;
    private long[][] times = new long[16][];
    private double[][] values = new double[16][];
    private int size;

    /** @param capacity blocks kept at most */
    BlockPool(int capacity) {
        this.capacity = capacity;
    }

    /** Keeps a whole block's columns for reuse; false (the caller lets them go) when the pool is full. */
    synchronized boolean give(long[] t, double[] v) {
        if (size == capacity) {
            return false;
        }
        if (size == times.length) { // grown as needed: a large head_memory need not pay for it up front
            int n = (int) Math.min(capacity, 2L * size);
            times = Arrays.copyOf(times, n);
            values = Arrays.copyOf(values, n);
        }
        times[size] = t;
        values[size] = v;
        size++;
        return true;
    }

    /** Puts a kept block into {@code ts[b]} and {@code vs[b]}; false when none is kept. */
    synchronized boolean take(long[][] ts, double[][] vs, int b) {
        if (size == 0) {
            return false;
        }
        size--;
        ts[b] = times[size];
        vs[b] = values[size];
        times[size] = null;
        values[size] = null;
        return true;
    }

    /** Lets go of kept blocks until they had at least {@code slots} slots (or none is kept); returns their slots. */
    synchronized long drop(long slots) {
        long dropped = 0;
        while (dropped < slots && size > 0) {
            size--;
            times[size] = null;
            values[size] = null;
            dropped += SeriesHead.BLOCK;
        }
        return dropped;
    }

    /** Blocks kept. */
    synchronized int size() {
        return size;
    }
}
