package io.sluice.storage.head;

import java.util.Arrays;

/**
 * One series' recent samples in the head: two columns, appended by writers after their commit,
 * read by queries; every method holds the series' monitor (writers of different requests may
 * append to one series at once). Samples mostly arrive in time order; a sample older than the
 * newest one held marks the series unsorted, and reads then sort the columns first.
 *
 * <p>The columns are blocks of {@link #BLOCK} samples: sample {@code i} is at
 * {@code [i / BLOCK][i % BLOCK]}. Only the first block grows by doubling (from {@link #FIRST}, so a
 * quiet series costs 128 bytes); past it a busy series gets new blocks and nothing already held is
 * copied again. (Doubling whole columns copied every sample about once more and was the largest
 * single cost of a writer's time at a million samples a second, docs/BENCHMARKS.md.)
 */
final class SeriesHead {
    /** Slots a series gets first. */
    static final int FIRST = 8;
    /** Samples in one block: 4 KiB a column. */
    static final int BLOCK = 512;
    private static final int SHIFT = Integer.numberOfTrailingZeros(BLOCK);
    private static final int MASK = BLOCK - 1;

    private long[][] times = {new long[FIRST]};
    private double[][] values = {new double[FIRST]};
    /** Slots allocated over all blocks. */
    private int capacity = FIRST;
    private int size;
    private boolean unsorted;
    /** The time of the sample at {@code size - 1} (read for every append: one field, not two arrays). */
    private long tail;

    /** The series' id: the rows its cells become name it. */
    private final int id;
    /** The head's blocks let go of: taken before new ones are made, given back when trimmed. */
    private final BlockPool pool;
    /** Its 1-minute aggregates, made at its first sample of a minute the head's rollup covers. */
    private MinuteCells cells;

    SeriesHead(int id, BlockPool pool) {
        this.id = id;
        this.pool = pool;
    }

    /**
     * Appends a committed sample: its time and value when {@code keep}, and into its minute's
     * aggregate when the head's rollup covers that minute. The coverage is read under this
     * series' monitor, as {@link #collect} reads and drops cells, so a sample is never folded
     * into a cell about to be dropped.
     *
     * @return slots newly allocated (to be counted against the head's bound), plus
     * {@link Head#APPEND_NEW_CELL} when a minute's cell was made and {@link Head#APPEND_MISSED}
     * when the sample's minute is no longer covered
     */
    synchronized long append(long time, double value, boolean keep, Head head) {
        long answer = 0;
        if (time >= head.minutesFrom()) {
            if (cells == null) {
                cells = new MinuteCells();
            }
            if (cells.fold(time, value) > 0) {
                answer |= Head.APPEND_NEW_CELL;
            }
        } else {
            answer |= Head.APPEND_MISSED;
        }
        return keep ? answer | store(time, value) : answer;
    }

    /**
     * Appends committed samples {@code rows[lo .. hi)} of the columns under one taking of this
     * series' monitor: each at or after {@code keepFrom} is kept, each folded into its minute's
     * aggregate when the head's rollup covers that minute (read once, under the monitor, as in
     * {@link #append(long, double, boolean, Head)}); one before {@code reach} is skipped (the
     * caller accounted for it). A covered sample whose minute is no longer covered is named to
     * the head as missed when at or after {@code missFrom}.
     *
     * @return slots newly allocated in the low 32 bits, minute cells made in the high 32
     */
    synchronized long appendRun(int[] rows, int lo, int hi, long[] times, double[] values, long keepFrom, long reach,
                                long missFrom, Head head) {
        long covered = head.minutesFrom();
        int grown = 0;
        int newCells = 0;
        for (int k = lo; k < hi; k++) {
            int row = rows[k];
            long t = times[row];
            if (t < reach) {
                continue;
            }
            double v = values[row];
            if (t >= covered) {
                if (cells == null) {
                    cells = new MinuteCells();
                }
                newCells += cells.fold(t, v);
            } else if (t >= missFrom) {
                head.missed(t);
            }
            if (t >= keepFrom) {
                grown += store(t, v);
            }
        }
        return (long) newCells << 32 | grown;
    }

    /** Dirty minute cells before {@code to} into {@code out}; drops cells before {@code dropBefore}; returns cells dropped. */
    synchronized int collect(long to, long dropBefore, MinuteRows out) {
        return cells == null ? 0 : cells.collect(id, to, dropBefore, out);
    }

    /** @return slots newly allocated (to be counted against the head's bound) */
    synchronized int append(long time, double value) {
        return store(time, value);
    }

    /** {@link #append(long, double)} with the monitor held. */
    private int store(long time, double value) {
        int grown = size == capacity ? grow() : 0;
        if (size > 0 && time < tail) {
            unsorted = true;
        }
        tail = time;
        times[size >>> SHIFT][size & MASK] = time;
        values[size >>> SHIFT][size & MASK] = value;
        size++;
        return grown;
    }

    /**
     * Room for one more sample: the first block doubles up to a whole block, then blocks are added,
     * a pooled one when the pool has one (its slots are counted already: none is new).
     */
    private int grow() {
        int before = capacity;
        if (capacity < BLOCK) {
            times[0] = Arrays.copyOf(times[0], capacity * 2);
            values[0] = Arrays.copyOf(values[0], capacity * 2);
        } else {
            int b = capacity >>> SHIFT;
            if (b == times.length) {
                times = Arrays.copyOf(times, b * 2);
                values = Arrays.copyOf(values, b * 2);
            }
            if (pool.take(times, values, b)) {
                capacity += BLOCK;
                return 0;
            }
            times[b] = new long[BLOCK];
            values[b] = new double[BLOCK];
        }
        capacity = capacity < BLOCK ? capacity * 2 : capacity + BLOCK;
        return capacity - before;
    }

    /** Offers whole blocks {@code [lo, hi)} to the pool; returns the slots it took (still counted by the head). */
    private int pool(int lo, int hi) {
        int pooled = 0;
        for (int b = lo; b < hi && pool.give(times[b], values[b]); b++) {
            pooled += BLOCK;
        }
        return pooled;
    }

    private long timeAt(int i) {
        return times[i >>> SHIFT][i & MASK];
    }

    private double valueAt(int i) {
        return values[i >>> SHIFT][i & MASK];
    }

    /** Samples held. */
    synchronized int size() {
        return size;
    }

    /** Slots allocated. */
    synchronized int capacity() {
        return capacity;
    }

    /**
     * Drops samples older than {@code from} and lets go of the blocks no longer needed: whole
     * blocks to the pool while it has room, the rest to the collector.
     *
     * @return slots released (those pooled stay counted: they are not)
     */
    synchronized int dropBefore(long from) {
        int keep = 0;
        for (int i = 0; i < size; i++) {
            long t = timeAt(i);
            if (t >= from) {
                times[keep >>> SHIFT][keep & MASK] = t;
                values[keep >>> SHIFT][keep & MASK] = valueAt(i);
                keep++;
            }
        }
        size = keep;
        if (size > 0) {
            tail = timeAt(size - 1);
        }
        int before = capacity;
        if (size <= BLOCK / 2) {
            // Back to one block, as small as fits (at least FIRST).
            int cap = FIRST;
            while (cap < size) {
                cap *= 2;
            }
            if (cap < capacity) {
                long[] t = Arrays.copyOf(times[0], cap);
                double[] v = Arrays.copyOf(values[0], cap);
                // Past the first block's doubling every block is whole, the first one too.
                int pooled = capacity >= BLOCK ? pool(0, capacity >>> SHIFT) : 0;
                times = new long[][] {t};
                values = new double[][] {v};
                capacity = cap;
                return before - capacity - pooled;
            }
        } else {
            int blocks = (size + MASK) >>> SHIFT;
            if (blocks < capacity >>> SHIFT) {
                int pooled = pool(blocks, capacity >>> SHIFT);
                times = Arrays.copyOf(times, blocks);
                values = Arrays.copyOf(values, blocks);
                capacity = blocks * BLOCK;
                return before - capacity - pooled;
            }
        }
        return before - capacity;
    }

    /** Copies samples with {@code lo <= time < hi} into {@code out}, in time order. */
    synchronized void read(long lo, long hi, Head.Sink out) {
        if (unsorted) {
            sort();
        }
        for (int i = firstAtOrAfter(lo); i < size; i++) {
            long t = timeAt(i);
            if (t >= hi) {
                return;
            }
            out.sample(t, valueAt(i));
        }
    }

    /** Calls {@code out} with the newest sample held, if any. */
    synchronized void latest(Head.Sink out) {
        if (size == 0) {
            return;
        }
        int best = size - 1;
        if (unsorted) {
            for (int i = 0; i < size; i++) {
                if (timeAt(i) > timeAt(best)) {
                    best = i;
                }
            }
        }
        out.sample(timeAt(best), valueAt(best));
    }

    /** Sorts the samples by time (stable: samples with equal times keep their order). */
    private void sort() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(timeAt(a), timeAt(b)));
        long[] t = new long[size];
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            t[i] = timeAt(order[i]);
            v[i] = valueAt(order[i]);
        }
        for (int i = 0; i < size; i++) {
            times[i >>> SHIFT][i & MASK] = t[i];
            values[i >>> SHIFT][i & MASK] = v[i];
        }
        if (size > 0) {
            tail = t[size - 1];
        }
        unsorted = false;
    }

    private int firstAtOrAfter(long lo) {
        int a = 0;
        int b = size;
        while (a < b) {
            int m = (a + b) >>> 1;
            if (timeAt(m) < lo) {
                a = m + 1;
            } else {
                b = m;
            }
        }
        return a;
    }
}
