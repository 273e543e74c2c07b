package io.sluice.codec.statsd;

import io.sluice.codec.SeriesKey;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A timing, histogram or distribution: count, sum, mean, lower, upper and standard deviation over
 * every value, and the median and percentiles over the values kept.
 *
 * <p>A value sent with sample rate r stands for 1/r values: it adds 1/r to the count and v/r to
 * the sum, and weighs 1/r in the mean and standard deviation (West's weighted update, which does
 * not lose precision the way a sum of squares does). The standard deviation is the population one,
 * as statsd and Telegraf give it. Lower, upper, median and percentiles describe the values as
 * received; when every value of a key has the same rate (the usual case) that is the same thing.
 *
 * <p>Values are kept exactly up to {@code timerSamples} per interval; past it, Vitter's
 * Algorithm R keeps a uniform random sample of that many (README "StatsD" gives the error bound).
 * A percentile is nearest-rank: the smallest kept value with at least p % of them at or below it.
 */
final class DistributionAggregate extends Aggregate {
    private static final int FIRST = 16;
    private static final byte[] COUNT = Emitter.suffix("count"), SUM = Emitter.suffix("sum"),
            MEAN = Emitter.suffix("mean"), LOWER = Emitter.suffix("lower"), UPPER = Emitter.suffix("upper"),
            STDDEV = Emitter.suffix("stddev"), MEDIAN = Emitter.suffix("median");

    private double weight;
    private double sum;
    private double mean;
    private double m2;
    private double lower;
    private double upper;
    /** Kept values; {@code seen} values were offered this interval. */
    private double[] kept;
    private int size;
    private long seen;

    DistributionAggregate(SeriesKey key, StatsdType type) {
        super(key, type);
    }

    void add(double v, double sampleRate, int cap, Budget budget, SplittableRandom random) {
        double w = 1 / sampleRate;
        if (weight == 0) {
            lower = v;
            upper = v;
        } else {
            lower = Math.min(lower, v);
            upper = Math.max(upper, v);
        }
        weight += w;
        sum += v * w;
        double delta = v - mean;
        mean += delta * w / weight;
        m2 += w * delta * (v - mean);
        keep(v, cap, budget, random);
    }

    private void keep(double v, int cap, Budget budget, SplittableRandom random) {
        seen++;
        if (kept == null) {
            kept = new double[Math.min(FIRST, cap)];
            budget.force(kept.length * 8L);
        }
        if (size == kept.length && size < cap) {
            int n = Math.min(cap, size * 2);
            if (budget.take((n - size) * 8L)) {
                kept = Arrays.copyOf(kept, n);
            }
        }
        if (size < kept.length) {
            kept[size++] = v;
            return;
        }
        // Algorithm R: the seen-th value replaces a kept one with probability size/seen. Until
        // here every value was kept, so the sample stays uniform however the size was reached.
        long j = random.nextLong(seen);
        if (j < size) {
            kept[(int) j] = v;
        }
    }

    @Override
    void emit(Emitter out) {
        Arrays.sort(kept, 0, size);
        out.sample(key, COUNT, weight);
        out.sample(key, SUM, sum);
        out.sample(key, MEAN, sum / weight);
        out.sample(key, LOWER, lower);
        out.sample(key, UPPER, upper);
        out.sample(key, STDDEV, Math.sqrt(Math.max(0, m2 / weight)));
        out.sample(key, MEDIAN, size % 2 == 1 ? kept[size / 2] : (kept[size / 2 - 1] + kept[size / 2]) / 2);
        double[] ps = out.percentiles();
        for (int i = 0; i < ps.length; i++) {
            out.sample(key, out.percentileSuffix(i), nearestRank(ps[i]));
        }
    }

    private double nearestRank(double p) {
        int rank = (int) Math.ceil(p / 100 * size);
        return kept[Math.max(0, Math.min(size, rank) - 1)];
    }

    @Override
    void reset() {
        weight = 0;
        sum = 0;
        mean = 0;
        m2 = 0;
        size = 0;
        seen = 0;
    }

    @Override
    void release(Budget budget) {
        if (kept != null) {
            budget.release(kept.length * 8L);
        }
    }
}
