package io.sluice.codec.statsd;

import io.sluice.codec.SeriesKey;

/** A counter: the sum of its values, each divided by its sample rate, and that sum per second. */
final class CounterAggregate extends Aggregate {
    private static final byte[] RATE = Emitter.suffix("rate");
    private double sum;

    CounterAggregate(SeriesKey key) {
        super(key, StatsdType.COUNTER);
    }

    void add(double value, double sampleRate) {
        sum += value / sampleRate;
    }

    @Override
    void emit(Emitter out) {
        out.sample(key, null, sum);
        out.sample(key, RATE, sum / out.intervalSeconds());
    }

    @Override
    void reset() {
        sum = 0;
    }
}
