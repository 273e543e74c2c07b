package io.sluice.storage.head;

import io.sluice.storage.util.IntMap;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * The newest samples of every series in memory, so that queries over the last minutes never
 * scan a hot (not yet indexed) piece of the samples table (README, "Hot tier and head").
 *
 * <p>The head holds <b>every committed sample whose time is at or after {@link #from()}</b>,
 * and nothing is answered from it below that. Writers append each batch right after its commit;
 * sealing moves {@code from} forward as pieces get their index; when the memory bound is reached,
 * {@code from} moves forward far enough to free half of it, so samples beyond the bound are
 * answered by the database instead. A query splits its range at {@code from}: the database below,
 * the head at and after; {@link #stable} tells it whether {@code from} moved while it read (a
 * sequence lock), and then it asks again.
 */
public final class Head {
    /** Receives a series' samples, in time order. */
    public interface Sink {
        void sample(long time, double value);
    }

    /** Bytes a held sample costs: its time and its value. */
    public static final int BYTES_PER_SAMPLE = 16;
    private static final long MINUTE = 60_000_000L;
    private static final int MINUTES = 4096;

    private final long maxSlots;
    private final IntMap<SeriesHead> series = new IntMap<>();
    private final AtomicLong slots = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong trims = new AtomicLong();
    /** Made once: a method reference written in the loop would be a new object per sample. */
    private final IntFunction<SeriesHead> create = id -> {
        slots.addAndGet(SeriesHead.FIRST);
        return new SeriesHead();
    };
    /** Samples appended per minute of their time: where to move {@code from} to free memory. */
    private final AtomicLongArray minuteStamp = new AtomicLongArray(MINUTES);
    private final AtomicLongArray minuteCount = new AtomicLongArray(MINUTES);
    private volatile long from = Long.MAX_VALUE;
    /** Even when no trim runs; odd while one does. */
    private final AtomicLong epoch = new AtomicLong();

    /** @param maxBytes memory the samples may take at most (their columns; a little more while one grows) */
    public Head(long maxBytes) {
        this.maxSlots = Math.max(SeriesHead.FIRST, maxBytes / BYTES_PER_SAMPLE);
    }

    /** The start of what the head holds completely; {@link Long#MAX_VALUE} while it holds nothing. */
    public long from() {
        return from;
    }

    /** A reading to give back to {@link #stable} after a query has read the head. */
    public long epoch() {
        long e;
        while (((e = epoch.get()) & 1) != 0) {
            Thread.onSpinWait();
        }
        return e;
    }

    /** Whether {@code from} stayed where it was since {@code epoch} was read. */
    public boolean stable(long epoch) {
        return this.epoch.get() == epoch;
    }

    /**
     * Starts covering from {@code time}: every committed sample at or after it must be in the head
     * already (loaded at start) or be appended from now on.
     */
    public void start(long time) {
        trim(time, true);
    }

    /** Appends committed samples; those before {@link #from()} are not kept. */
    public void append(int[] seriesIds, long[] times, double[] values, int n) {
        append(seriesIds, times, values, 0, n);
    }

    /** Appends committed samples {@code [lo, hi)} of the columns; those before {@link #from()} are not kept. */
    public void append(int[] seriesIds, long[] times, double[] values, int lo, int hi) {
        long f = from;
        if (f == Long.MAX_VALUE || lo >= hi) {
            return;
        }
        long grown = 0;
        int kept = 0;
        // Counted per run of one minute, not per sample: the counters are shared by the writers.
        long minute = Long.MIN_VALUE;
        int inMinute = 0;
        for (int i = lo; i < hi; i++) {
            long t = times[i];
            if (t < f || seriesIds[i] < 0) {
                continue;
            }
            grown += series.computeIfAbsent(seriesIds[i], create).append(t, values[i]);
            long m = Math.floorDiv(t, MINUTE);
            if (m != minute) {
                count(minute, inMinute);
                minute = m;
                inMinute = 0;
            }
            inMinute++;
            kept++;
        }
        count(minute, inMinute);
        samples.addAndGet(kept);
        if (grown > 0 && slots.addAndGet(grown) > maxSlots) {
            relieve();
        }
    }

    /** Moves {@code from} forward (sealing caught up); never back. */
    public void advance(long time) {
        trim(time, false);
    }

    /** Samples of series {@code id} with {@code lo <= time < hi}, in time order. */
    public void read(int id, long lo, long hi, Sink out) {
        SeriesHead s = series.get(id);
        if (s != null) {
            s.read(Math.max(lo, from), hi, out);
        }
    }

    /** The newest sample of series {@code id} the head holds, if any. */
    public void latest(int id, Sink out) {
        SeriesHead s = series.get(id);
        if (s != null) {
            s.latest(out);
        }
    }

    /** Samples held. */
    public long samples() {
        return samples.get();
    }

    /** Bytes the columns take (allocated slots). */
    public long bytes() {
        return slots.get() * BYTES_PER_SAMPLE;
    }

    public long maxBytes() {
        return maxSlots * BYTES_PER_SAMPLE;
    }

    /** How many times memory pressure moved {@code from} forward. */
    public long pressureTrims() {
        return trims.get();
    }

    /**
     * Over the bound: moves {@code from} to the first minute boundary past which at most half the
     * bound's samples lie (from the per-minute counts), then drops what is before it.
     */
    private synchronized void relieve() {
        if (slots.get() <= maxSlots) {
            return; // another writer relieved it meanwhile
        }
        long keep = maxSlots / 2;
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < MINUTES; i++) {
            newest = Math.max(newest, minuteStamp.get(i));
        }
        long total = 0;
        long to = from;
        for (long m = newest; m > newest - MINUTES; m--) {
            int k = (int) Math.floorMod(m, (long) MINUTES);
            if (minuteStamp.get(k) == m) {
                total += minuteCount.get(k);
            }
            if (total > keep) {
                to = (m + 1) * MINUTE;
                break;
            }
        }
        trims.incrementAndGet();
        trim(Math.max(to, Math.min(from, (newest + 1) * MINUTE)), false);
        if (slots.get() > maxSlots) {
            // The newest minute alone is over the bound: hold nothing until time moves past it.
            trim((newest + 1) * MINUTE, false);
        }
    }

    private synchronized void trim(long time, boolean allowBack) {
        if (!allowBack && (from == Long.MAX_VALUE || time <= from)) {
            return; // not started, or already past it
        }
        epoch.incrementAndGet();
        try {
            from = time;
            long[] released = {0};
            long[] held = {0};
            series.forEach(s -> {
                released[0] += s.dropBefore(time);
                held[0] += s.size();
            });
            slots.addAndGet(-released[0]);
            samples.set(held[0]);
        } finally {
            epoch.incrementAndGet();
        }
    }

    /** Adds {@code n} samples to minute {@code m}'s count. */
    private void count(long m, int n) {
        if (n == 0) {
            return;
        }
        int k = (int) Math.floorMod(m, (long) MINUTES);
        long stamp = minuteStamp.get(k);
        if (stamp != m) {
            if (stamp > m || !minuteStamp.compareAndSet(k, stamp, m)) {
                return; // an older minute than the slot's, or another writer reset it: approximate
            }
            minuteCount.set(k, 0);
        }
        minuteCount.addAndGet(k, n);
    }
}
