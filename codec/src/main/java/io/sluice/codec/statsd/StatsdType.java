package io.sluice.codec.statsd;

import java.nio.charset.StandardCharsets;

/**
 * The StatsD metric types, with the letters clients send and the {@code metric_type} tag value
 * Telegraf's statsd input gives each (README "StatsD").
 */
public enum StatsdType {
    COUNTER("c", "counter"),
    GAUGE("g", "gauge"),
    TIMING("ms", "timing"),
    HISTOGRAM("h", "histogram"),
    DISTRIBUTION("d", "distribution"),
    SET("s", "set");

    private final String letters;
    private final byte[] tag;

    StatsdType(String letters, String tag) {
        this.letters = letters;
        this.tag = tag.getBytes(StandardCharsets.US_ASCII);
    }

    /** What a client writes after the '|': {@code c}, {@code g}, {@code ms}, {@code h}, {@code d}, {@code s}. */
    public String letters() {
        return letters;
    }

    /** The {@code metric_type} tag value as bytes; callers must not change it. */
    byte[] tagBytes() {
        return tag;
    }

    public String tagValue() {
        return new String(tag, StandardCharsets.US_ASCII);
    }

    /** Timers, histograms and distributions share one aggregate: count, sum, percentiles... */
    public boolean isDistribution() {
        return this == TIMING || this == HISTOGRAM || this == DISTRIBUTION;
    }

    /** The type named by {@code b[s, e)}, or null. */
    static StatsdType of(byte[] b, int s, int e) {
        int n = e - s;
        if (n == 1) {
            return switch (b[s]) {
                case 'c' -> COUNTER;
                case 'g' -> GAUGE;
                case 'h' -> HISTOGRAM;
                case 'd' -> DISTRIBUTION;
                case 's' -> SET;
                default -> null;
            };
        }
        return n == 2 && b[s] == 'm' && b[s + 1] == 's' ? TIMING : null;
    }
}
