package io.sluice.codec.statsd;

import io.sluice.codec.SeriesKey;

/** A gauge: its last value, kept across intervals so that a signed value changes it (statsd's rule). */
final class GaugeAggregate extends Aggregate {
    private double value;
    /** Start of the last interval that updated it. */
    long updatedMicros;

    GaugeAggregate(SeriesKey key) {
        super(key, StatsdType.GAUGE);
    }

    void set(double v, boolean relative) {
        value = relative ? value + v : v;
    }

    @Override
    void emit(Emitter out) {
        out.sample(key, null, value);
    }

    @Override
    void reset() {
        // The value stays: the next relative update starts from it.
    }
}
