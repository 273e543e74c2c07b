package io.sluice.storage.query;

import java.time.Duration;
import java.util.Locale;

/**
 * Where an answer comes from: raw samples or a rollup. Chosen by range (README, "Ask for it"): up
 * to and including 1 h raw, up to 24 h the 1-minute rollup, up to 7 days the 1-hour one, beyond
 * the 1-day one. One hour itself is raw: the dashboard document answers its
 * own {@code start=1h&points=800} example from raw samples, and an hour of a series sampled every
 * 10 s (360 points) would otherwise come back as 60 one-minute buckets, short of most
 * {@code points} asked for.
 */
public enum Source {
    RAW("raw", "samples", 0),
    M1("1m", "samples_1m", 60_000_000L),
    H1("1h", "samples_1h", 3_600_000_000L),
    D1("1d", "samples_1d", 86_400_000_000L);

    public final String label;
    final String table;
    /** Bucket width in micros (0 for raw). */
    public final long bucketMicros;

    Source(String label, String table, long bucketMicros) {
        this.label = label;
        this.table = table;
        this.bucketMicros = bucketMicros;
    }

    public static Source forRange(Duration range) {
        if (range.compareTo(Duration.ofHours(1)) <= 0) {
            return RAW;
        }
        if (range.compareTo(Duration.ofHours(24)) <= 0) {
            return M1;
        }
        if (range.compareTo(Duration.ofDays(7)) <= 0) {
            return H1;
        }
        return D1;
    }

    /** @return the source named raw, 1m, 1h or 1d, or null */
    public static Source parse(String s) {
        if (s == null) {
            return null;
        }
        for (Source x : values()) {
            if (x.label.equals(s.toLowerCase(Locale.ROOT))) {
                return x;
            }
        }
        return null;
    }
}
