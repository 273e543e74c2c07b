package io.sluice.codec.statsd;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * StatsD's aggregation stage: values from any number of parser threads are folded per key (name,
 * tags and {@code metric_type}), and {@link #flush} writes one interval's aggregates as samples
 * (names and fields in {@code package-info.java}).
 *
 * <p>Keys are spread over lock stripes by hash, so parsers on different threads rarely wait for
 * each other, and a key's values meet in one place whichever socket they came in on. A value for a
 * key seen before creates no garbage. A flush takes one stripe at a time: values arriving
 * meanwhile join the next interval once their stripe is done.
 *
 * <p>Bounded: at most {@link StatsdSettings#maxSeries()} keys (a new one past it is dropped and
 * {@link Drops#seriesLimit() counted}); timing values and set members within their per-key caps
 * and {@link StatsdSettings#memoryBytes()} together. A key that gets nothing in an interval is let
 * go at its end, except a gauge, which stays (and is written every interval) for
 * {@link StatsdSettings#gaugeTtlMicros()}.
 */
public final class StatsdAggregator {
    /** Where values that could not be kept are counted. */
    public interface Drops {
        /** A value for a new key, past {@code maxSeries}. */
        default void seriesLimit() {
        }

        /** A new set member past the set's cap or the memory budget. */
        default void setFull() {
        }
    }

    private static final int STRIPES = 64;

    private final StatsdSettings settings;
    private final Drops drops;
    private final Stripe[] stripes = new Stripe[STRIPES];
    private final AtomicInteger keys = new AtomicInteger();
    private final Budget budget;
    private final Emitter emitter;

    public StatsdAggregator(StatsdSettings settings, Drops drops) {
        this.settings = settings;
        this.drops = drops;
        this.budget = new Budget(settings.memoryBytes());
        this.emitter = new Emitter(settings.percentiles());
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe(i);
        }
    }

    /** One value of a counter, gauge, timing, histogram or distribution ({@link StatsdSink#metric}). */
    public void metric(SeriesKey key, StatsdType type, double value, double sampleRate, boolean relative) {
        Stripe s = stripe(key);
        s.lock.lock();
        try {
            Aggregate a = s.find(key, type);
            if (a == null) {
                return;
            }
            a.touched = true;
            switch (type) {
                case COUNTER -> ((CounterAggregate) a).add(value, sampleRate);
                case GAUGE -> ((GaugeAggregate) a).set(value, relative);
                case TIMING, HISTOGRAM, DISTRIBUTION ->
                        ((DistributionAggregate) a).add(value, sampleRate, settings.timerSamples(), budget, s.random);
                case SET -> throw new IllegalArgumentException("set members go to setMember");
            }
        } finally {
            s.lock.unlock();
        }
    }

    /** One member of a set ({@link StatsdSink#setMember}). */
    public void setMember(SeriesKey key, byte[] buf, int off, int len) {
        Stripe s = stripe(key);
        s.lock.lock();
        try {
            Aggregate a = s.find(key, StatsdType.SET);
            if (a == null) {
                return;
            }
            a.touched = true;
            if (!((SetAggregate) a).add(buf, off, len, settings.maxSetSize(), budget)) {
                drops.setFull();
            }
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Writes the interval that starts at {@code startMicros} and lasts {@code intervalMicros}: each
     * key updated in it, and each gauge within its TTL, gives its samples at {@code startMicros}.
     *
     * @return samples written
     */
    public synchronized int flush(long startMicros, long intervalMicros, SampleSink out) {
        emitter.begin(out, startMicros, intervalMicros);
        for (Stripe s : stripes) {
            s.lock.lock();
            try {
                s.flush(startMicros);
            } finally {
                s.lock.unlock();
            }
        }
        return emitter.end();
    }

    /** Keys held now. */
    public int keys() {
        return keys.get();
    }

    /** Bytes the kept timing values and set members take now. */
    public long memoryUsed() {
        return budget.used();
    }

    public StatsdSettings settings() {
        return settings;
    }

    private Stripe stripe(SeriesKey key) {
        int h = key.hashCode();
        return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
    }

    private final class Stripe {
        final ReentrantLock lock = new ReentrantLock();
        final Map<SeriesKey, Aggregate> map = new HashMap<>();
        /** The map's aggregates again, for a flush without an iterator's garbage. */
        Aggregate[] held = new Aggregate[16];
        int count;
        final SplittableRandom random;

        Stripe(int i) {
            random = new SplittableRandom(0x5EED_0000L + i);
        }

        /** The key's aggregate, created if there is room; null (counted) if not. */
        Aggregate find(SeriesKey key, StatsdType type) {
            Aggregate a = map.get(key);
            if (a != null) {
                // The parser tags each series with its metric_type, so a key has one type; a
                // caller that does not gets its value dropped rather than mixed into another.
                if (a.type != type) {
                    drops.seriesLimit();
                    return null;
                }
                return a;
            }
            if (keys.incrementAndGet() > settings.maxSeries()) {
                keys.decrementAndGet();
                drops.seriesLimit();
                return null;
            }
            SeriesKey k = key.frozen();
            a = switch (type) {
                case COUNTER -> new CounterAggregate(k);
                case GAUGE -> new GaugeAggregate(k);
                case SET -> new SetAggregate(k);
                case TIMING, HISTOGRAM, DISTRIBUTION -> new DistributionAggregate(k, type);
            };
            map.put(k, a);
            if (count == held.length) {
                held = Arrays.copyOf(held, count * 2);
            }
            held[count++] = a;
            return a;
        }

        void flush(long startMicros) {
            int i = 0;
            while (i < count) {
                Aggregate a = held[i];
                if (a.touched) {
                    a.emit(emitter);
                    a.reset();
                    a.touched = false;
                    if (a instanceof GaugeAggregate g) {
                        g.updatedMicros = startMicros;
                    }
                } else if (a instanceof GaugeAggregate g && startMicros - g.updatedMicros < settings.gaugeTtlMicros()) {
                    g.emit(emitter);
                } else {
                    map.remove(a.key);
                    held[i] = held[--count];
                    held[count] = null;
                    a.release(budget);
                    keys.decrementAndGet();
                    continue;
                }
                i++;
            }
        }
    }
}
