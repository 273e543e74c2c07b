package io.sluice.codec.statsd;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.nio.charset.StandardCharsets;

/**
 * Writes one flush's samples: the metric is the key's name plus {@code _field} (none for Telegraf's
 * {@code value} field), the tags are the key's, the time is the interval's start. One per
 * aggregator, used by one flush at a time; it reuses one key, so a flush creates no garbage.
 */
final class Emitter {
    private static final byte[] NONE = {};
    private final SeriesKey out = new SeriesKey();
    private final double[] percentiles;
    private final byte[][] percentileSuffixes;
    private SampleSink sink;
    private long timeMicros;
    private double seconds;
    private int emitted;

    Emitter(double[] percentiles) {
        this.percentiles = percentiles;
        this.percentileSuffixes = new byte[percentiles.length][];
        for (int i = 0; i < percentiles.length; i++) {
            percentileSuffixes[i] = suffix(StatsdSettings.percentileField(percentiles[i]));
        }
    }

    static byte[] suffix(String field) {
        return ("_" + field).getBytes(StandardCharsets.UTF_8);
    }

    void begin(SampleSink sink, long timeMicros, long intervalMicros) {
        this.sink = sink;
        this.timeMicros = timeMicros;
        this.seconds = intervalMicros / 1e6;
        this.emitted = 0;
    }

    int end() {
        sink = null;
        return emitted;
    }

    double intervalSeconds() {
        return seconds;
    }

    double[] percentiles() {
        return percentiles;
    }

    byte[] percentileSuffix(int i) {
        return percentileSuffixes[i];
    }

    /**
     * @param suffix {@code _field}, or null for the {@code value} field. The key is copied even
     *               then: sinks read a mutable key without decoding it.
     */
    void sample(SeriesKey key, byte[] suffix, double value) {
        sink.sample(out.copyOf(key, suffix == null ? NONE : suffix), timeMicros, value, SampleSink.NO_STEP);
        emitted++;
    }
}
