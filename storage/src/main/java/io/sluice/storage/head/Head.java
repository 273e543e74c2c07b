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
 *
 * <p>With the rollup from the head on, every committed sample at or after {@link #minutesFrom()}
 * is also folded into its series' 1-minute aggregate (count, sum, min, max, sum of squares, first,
 * last), which the 1-minute rollup refresh takes instead of reading raw samples again (README,
 * "Ask for it": rollups). That start moves only when the refresh lets go of minutes it is done
 * with, never with sealing or memory pressure on the samples: the aggregates are a few cells a
 * series. A sample folded below it (its writer's commit was slow to reach the head) names its
 * minute for the refresh to compute from the database, unless the writer's invalidation log has it
 * already.
 */
public final class Head {
    /** Receives a series' samples, in time order. */
    public interface Sink {
        void sample(long time, double value);
    }

    /** In {@link SeriesHead#append(long, double, boolean, Head)}'s answer: a minute's cell was made. */
    static final long APPEND_NEW_CELL = 1L << 32;
    /** In {@link SeriesHead#append(long, double, boolean, Head)}'s answer: the minute is no longer covered. */
    static final long APPEND_MISSED = 1L << 33;
    /** Memory a minute's cell takes, about (ten columns of 8 bytes and a flag, with room to grow). */
    public static final int BYTES_PER_CELL = 128;
    /** Minutes remembered as missed at most; past it they are merged into one span. */
    private static final int MISSED_MAX = 4096;

    /** Bytes a held sample costs: its time and its value. */
    public static final int BYTES_PER_SAMPLE = 16;
    private static final long MINUTE = 60_000_000L;
    private static final int MINUTES = 4096;

    private final long maxSlots;
    private final IntMap<SeriesHead> series = new IntMap<>();
    /**
     * Slots allocated: those of the series' columns and those of the pooled blocks, which are
     * memory the head holds as much (the bound counts both).
     */
    private final AtomicLong slots = new AtomicLong();
    /** Blocks let go of, for series that grow again: within the bound, with the columns. */
    private final BlockPool pool;
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong trims = new AtomicLong();
    /** Made once: a method reference written in the loop would be a new object per sample. */
    private final IntFunction<SeriesHead> create;
    /** Whether samples are folded into 1-minute aggregates for the rollup. */
    private final boolean rollup;
    private final long maxCells;
    private final AtomicLong cells = new AtomicLong();
    private final AtomicLong cellTrims = new AtomicLong();
    private volatile long minutesFrom = Long.MAX_VALUE;
    /** Minutes of samples folded too late for their cell, as they were named; guarded by itself. */
    private final long[] missed = new long[MISSED_MAX];
    private int missedCount;
    /** Samples appended per minute of their time: where to move {@code from} to free memory. */
    private final AtomicLongArray minuteStamp = new AtomicLongArray(MINUTES);
    private final AtomicLongArray minuteCount = new AtomicLongArray(MINUTES);
    private volatile long from = Long.MAX_VALUE;
    /** Even when no trim runs; odd while one does. */
    private final AtomicLong epoch = new AtomicLong();

    /** @param maxBytes memory the samples may take at most (their columns; a little more while one grows) */
    public Head(long maxBytes) {
        this(maxBytes, false);
    }

    /**
     * @param maxBytes memory the samples may take at most (their columns; a little more while one grows)
     * @param rollup   also keep each series' 1-minute aggregates for the rollup refresh, in at most
     *                 an eighth of {@code maxBytes} more
     */
    public Head(long maxBytes, boolean rollup) {
        this.maxSlots = Math.max(SeriesHead.FIRST, maxBytes / BYTES_PER_SAMPLE);
        this.pool = new BlockPool((int) Math.min(Integer.MAX_VALUE - 8, maxSlots / SeriesHead.BLOCK));
        this.create = id -> {
            slots.addAndGet(SeriesHead.FIRST);
            return new SeriesHead(id, pool);
        };
        this.rollup = rollup;
        this.maxCells = Math.max(1024, maxBytes / 8 / BYTES_PER_CELL);
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
        if (rollup) {
            minutesFrom = -Math.floorDiv(-time, MINUTE) * MINUTE; // the first whole minute
        }
    }

    /**
     * The start of the 1-minute aggregates: every committed sample at or after it is folded into
     * one; {@link Long#MAX_VALUE} when there are none (no rollup from the head, or not started).
     */
    public long minutesFrom() {
        return minutesFrom;
    }

    /** Appends committed samples; those before {@link #from()} are not kept. */
    public void append(int[] seriesIds, long[] times, double[] values, int n) {
        append(seriesIds, times, values, 0, n);
    }

    /** Appends committed samples {@code [lo, hi)} of the columns; those before {@link #from()} are not kept. */
    public void append(int[] seriesIds, long[] times, double[] values, int lo, int hi) {
        append(seriesIds, times, values, lo, hi, Long.MIN_VALUE);
    }

    /**
     * Appends committed samples {@code [lo, hi)} of the columns; those before {@link #from()} are
     * not kept, and each is folded into its minute's aggregate when that minute is covered.
     *
     * @param loggedBefore samples older than this are in the rollup invalidation log already (its
     *                     writer recorded them in the transaction that committed them)
     */
    public void append(int[] seriesIds, long[] times, double[] values, int lo, int hi, long loggedBefore) {
        long f = from;
        long cf = minutesFrom;
        if ((f == Long.MAX_VALUE && cf == Long.MAX_VALUE) || lo >= hi) {
            return;
        }
        long grown = 0;
        int kept = 0;
        // Counted per run of one minute, not per sample: the counters are shared by the writers.
        long minute = Long.MIN_VALUE;
        int inMinute = 0;
        int newCells = 0;
        for (int i = lo; i < hi; i++) {
            long t = times[i];
            if (seriesIds[i] < 0) {
                continue;
            }
            boolean keep = t >= f;
            long answer;
            if (keep || t >= cf) {
                answer = series.computeIfAbsent(seriesIds[i], create).append(t, values[i], keep, this);
            } else {
                answer = APPEND_MISSED; // cf only grows: read before the loop, it was at most what it is now
            }
            if ((answer & APPEND_MISSED) != 0 && cf != Long.MAX_VALUE && t >= loggedBefore) {
                missed(t);
            }
            if ((answer & APPEND_NEW_CELL) != 0) {
                newCells++;
            }
            if (!keep) {
                continue;
            }
            grown += (int) answer;
            long m = Math.floorDiv(t, MINUTE);
            if (m != minute) {
                count(minute, inMinute);
                minute = m;
                inMinute = 0;
            }
            inMinute++;
            kept++;
        }
        settle(minute, inMinute, newCells, kept, grown);
    }

    /**
     * Appends committed samples grouped by series, as a writer's blocks hold them: group {@code g}
     * is the rows {@code rows[off[g] .. off[g + 1])} of the columns, all of series
     * {@code seriesIds[rows[off[g]]]}, in ascending time (as the writer's encoding sorts them: the
     * counters read a group's ends only when both lie in one minute). The same as {@link #append(int[],
     * long[], double[], int, int, long)} of those rows, with a series' lookup, its monitor and its
     * minute's aggregate taken once a group instead of once a sample (they were most of a writer's
     * time in the head, docs/BENCHMARKS.md "Round 6").
     */
    public void appendGroups(int[] seriesIds, int[] rows, int[] off, int groups, long[] times, double[] values,
                             long loggedBefore) {
        long f = from;
        long cf = minutesFrom;
        if ((f == Long.MAX_VALUE && cf == Long.MAX_VALUE) || groups <= 0) {
            return;
        }
        long reach = Math.min(f, cf); // a sample before both is neither kept nor folded
        long grown = 0;
        int kept = 0;
        int newCells = 0;
        long minute = Long.MIN_VALUE;
        int inMinute = 0;
        for (int g = 0; g < groups; g++) {
            int lo = off[g];
            int hi = off[g + 1];
            if (lo >= hi || seriesIds[rows[lo]] < 0) {
                continue;
            }
            long first = times[rows[lo]];
            long m0 = Math.floorDiv(first, MINUTE);
            boolean reached = false;
            if (first >= f && m0 == Math.floorDiv(times[rows[hi - 1]], MINUTE)) {
                // The common block: in ascending time from at or after from(), within one minute.
                // Every sample is kept (and so reached); the minute's run grows by the whole group.
                if (m0 != minute) {
                    count(minute, inMinute);
                    minute = m0;
                    inMinute = 0;
                }
                inMinute += hi - lo;
                kept += hi - lo;
                reached = true;
            }
            for (int k = reached ? hi : lo; k < hi; k++) {
                long t = times[rows[k]];
                if (t >= reach) {
                    reached = true;
                } else if (cf != Long.MAX_VALUE && t >= loggedBefore) {
                    missed(t); // cf only grows: read before the loop, it was at most what it is now
                }
                if (t < f) {
                    continue;
                }
                long m = Math.floorDiv(t, MINUTE);
                if (m != minute) {
                    count(minute, inMinute);
                    minute = m;
                    inMinute = 0;
                }
                inMinute++;
                kept++;
            }
            if (reached) {
                long answer = series.computeIfAbsent(seriesIds[rows[lo]], create)
                        .appendRun(rows, lo, hi, times, values, f, reach, cf != Long.MAX_VALUE ? loggedBefore : Long.MAX_VALUE, this);
                grown += (int) answer;
                newCells += (int) (answer >>> 32);
            }
        }
        settle(minute, inMinute, newCells, kept, grown);
    }

    /** The shared counters after an append: the last minute's run, cells made, samples kept, slots grown. */
    private void settle(long minute, int inMinute, int newCells, int kept, long grown) {
        count(minute, inMinute);
        if (newCells > 0) {
            cells.addAndGet(newCells);
        }
        samples.addAndGet(kept);
        if (grown > 0 && slots.addAndGet(grown) > maxSlots) {
            relieve();
        }
    }

    /** Remembers the minute of a sample folded below {@link #minutesFrom()}. */
    void missed(long time) {
        long m = Math.floorDiv(time, MINUTE) * MINUTE;
        synchronized (missed) {
            if (spanMissed) {
                missed[0] = Math.min(missed[0], m);
                missed[1] = Math.max(missed[1], m);
                return;
            }
            if (missedCount > 0 && missed[missedCount - 1] == m) {
                return;
            }
            if (missedCount == MISSED_MAX) {
                // Too many to name one by one: keep the oldest and the newest, the refresh spans them.
                long lo = m;
                long hi = m;
                for (int i = 0; i < missedCount; i++) {
                    lo = Math.min(lo, missed[i]);
                    hi = Math.max(hi, missed[i]);
                }
                missed[0] = lo;
                missed[1] = hi;
                missedCount = 2;
                spanMissed = true;
                return;
            }
            missed[missedCount++] = m;
        }
    }

    /** Set when the missed minutes were merged into one span: take them as the whole span. */
    private boolean spanMissed;

    /**
     * Takes the minutes of samples folded too late for their aggregate: the refresh computes them
     * from the database. Returns {@code [lo0, hi0, lo1, hi1, ...]} in epoch microseconds, unsorted.
     */
    public long[] takeMissedMinutes() {
        synchronized (missed) {
            long[] out;
            if (spanMissed) {
                out = new long[] {Math.min(missed[0], missed[1]), Math.max(missed[0], missed[1]) + MINUTE};
            } else {
                out = new long[2 * missedCount];
                for (int i = 0; i < missedCount; i++) {
                    out[2 * i] = missed[i];
                    out[2 * i + 1] = missed[i] + MINUTE;
                }
            }
            missedCount = 0;
            spanMissed = false;
            return out;
        }
    }

    /** Names minutes (their starts) for the next refresh to compute from raw samples: rows collected that it could not write. */
    public void missMinutes(long[] minuteStarts) {
        for (long m : minuteStarts) {
            missed(m);
        }
    }

    /** Gives back what {@link #takeMissedMinutes} took (the refresh failed): {@code [lo, hi)} pairs of whole minutes. */
    public void missRanges(long[] pairs) {
        synchronized (missed) {
            for (int i = 0; i < pairs.length; i += 2) {
                for (long m = pairs[i]; m < pairs[i + 1] && !spanMissed; m += MINUTE) {
                    missed(m);
                }
                if (spanMissed) { // one span from here on: its ends are enough
                    missed(pairs[i]);
                    missed(pairs[i + 1] - MINUTE);
                }
            }
        }
    }

    /**
     * Takes the dirty 1-minute aggregates of minutes before {@code to} into {@code out} and lets go
     * of those before {@code dropBefore} (at most {@code to}; {@link #minutesFrom()} moves there).
     * When more cells than the bound are held, it lets go of every minute before {@code to}.
     * Called by one refresh at a time.
     *
     * @return whether the aggregates cover anything (false: no rollup from the head, or not started)
     */
    public boolean collectMinutes(long to, long dropBefore, MinuteRows out) {
        synchronized (collecting) {
            return collect(to, dropBefore, out);
        }
    }

    private final Object collecting = new Object();

    private boolean collect(long to, long dropBefore, MinuteRows out) {
        long cf = minutesFrom;
        if (cf == Long.MAX_VALUE) {
            return false;
        }
        long drop = Math.max(cf, Math.floorDiv(Math.min(dropBefore, to), MINUTE) * MINUTE);
        // Published before any series is visited: a sample folded after its series' visit sees it.
        minutesFrom = drop;
        long[] dropped = {0};
        series.forEach(s -> dropped[0] += s.collect(to, drop, out));
        if (cells.addAndGet(-dropped[0]) > maxCells && drop < to) {
            cellTrims.incrementAndGet();
            long all = Math.floorDiv(to, MINUTE) * MINUTE;
            minutesFrom = all;
            dropped[0] = 0;
            series.forEach(s -> dropped[0] += s.collect(to, all, out));
            cells.addAndGet(-dropped[0]);
        }
        return true;
    }

    /** 1-minute aggregate cells held. */
    public long minuteCells() {
        return cells.get();
    }

    /** How many times the aggregates let go of minutes early to stay within their bound. */
    public long minuteCellTrims() {
        return cellTrims.get();
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

    /** Bytes the columns take (allocated slots), blocks pooled for reuse included. */
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

    /** Blocks pooled for reuse. */
    int pooledBlocks() {
        return pool.size();
    }

    /**
     * Over the bound: lets go of pooled blocks first (they hold no sample); if that is not enough,
     * moves {@code from} to the first minute boundary past which at most half the bound's samples
     * lie (from the per-minute counts), then drops what is before it.
     */
    private synchronized void relieve() {
        if (!overAfterPool()) {
            return; // another writer relieved it meanwhile, or pooled blocks were enough
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
        if (overAfterPool()) {
            // The newest minute alone is over the bound: hold nothing until time moves past it.
            trim((newest + 1) * MINUTE, false);
        }
    }

    /** Whether the slots are over the bound once pooled blocks, as many as it takes, are let go of. */
    private boolean overAfterPool() {
        long over = slots.get() - maxSlots;
        return over > 0 && slots.addAndGet(-pool.drop(over)) > maxSlots;
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
