package io.sluice.codec.statsd;

import java.util.Arrays;

/**
 * What the aggregation stage keeps and emits (README "StatsD": the configuration keys behind each).
 *
 * @param percentiles    percentiles emitted for timings, histograms and distributions, each in (0, 100]
 * @param maxSeries      aggregation keys held at once; a new key past it is dropped and counted
 * @param maxSetSize     members counted per set and interval; further new members are dropped and counted
 * @param timerSamples   values kept per timing key and interval for the median and percentiles;
 *                       past it they are a uniform random sample of that many (reservoir sampling)
 * @param memoryBytes    what all kept timing values and set members may take together; past it
 *                       reservoirs stop growing and sets stop taking new members
 * @param gaugeTtlMicros how long a gauge that is not updated keeps being emitted with its last
 *                       value (and kept for relative updates); 0: only in intervals that update it
 */
public record StatsdSettings(double[] percentiles, int maxSeries, int maxSetSize, int timerSamples,
                             long memoryBytes, long gaugeTtlMicros) {
    public static final double[] DEFAULT_PERCENTILES = {50, 90, 95, 99};

    public StatsdSettings {
        percentiles = percentiles.clone();
        Arrays.sort(percentiles);
        for (int i = 0; i < percentiles.length; i++) {
            if (!(percentiles[i] > 0 && percentiles[i] <= 100)) {
                throw new IllegalArgumentException("a percentile must be in (0, 100], got " + percentiles[i]);
            }
            if (i > 0 && percentiles[i] == percentiles[i - 1]) {
                throw new IllegalArgumentException("percentile " + percentiles[i] + " is given twice");
            }
        }
        if (maxSeries < 1 || maxSetSize < 1 || timerSamples < 1) {
            throw new IllegalArgumentException("maxSeries, maxSetSize and timerSamples must be at least 1");
        }
        if (memoryBytes < 0 || gaugeTtlMicros < 0) {
            throw new IllegalArgumentException("memoryBytes and gaugeTtlMicros cannot be negative");
        }
    }

    /** The defaults of the {@code statsd_*} configuration keys. */
    public static StatsdSettings defaults() {
        return new StatsdSettings(DEFAULT_PERCENTILES, 100_000, 10_000, 1_000, 64L << 20, 3_600_000_000L);
    }

    @Override
    public double[] percentiles() {
        return percentiles.clone();
    }

    /**
     * The field name Telegraf gives a percentile ({@code 90_percentile}, {@code 99.9_percentile}):
     * Go's {@code %v} of the number, so no ".0" on whole ones.
     */
    static String percentileField(double p) {
        return (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)) + "_percentile";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatsdSettings s && Arrays.equals(percentiles, s.percentiles) && maxSeries == s.maxSeries
                && maxSetSize == s.maxSetSize && timerSamples == s.timerSamples && memoryBytes == s.memoryBytes
                && gaugeTtlMicros == s.gaugeTtlMicros;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(percentiles) * 31 + Long.hashCode(memoryBytes + gaugeTtlMicros + maxSeries);
    }

    @Override
    public String toString() {
        return "percentiles=" + Arrays.toString(percentiles) + ", maxSeries=" + maxSeries + ", maxSetSize=" + maxSetSize
                + ", timerSamples=" + timerSamples + ", memoryBytes=" + memoryBytes + ", gaugeTtlMicros=" + gaugeTtlMicros;
    }
}
