package io.sluice.codec.statsd;

import io.sluice.codec.SeriesKey;

/**
 * What one aggregation key (a series: name, tags, {@code metric_type}) has gathered. Each is
 * changed only under its stripe's lock in {@link StatsdAggregator}.
 */
abstract class Aggregate {
    final SeriesKey key;
    final StatsdType type;
    /** Updated in the current interval. */
    boolean touched;

    Aggregate(SeriesKey key, StatsdType type) {
        this.key = key;
        this.type = type;
    }

    /** Writes the interval's samples. */
    abstract void emit(Emitter out);

    /** Starts the next interval (after an emit). */
    abstract void reset();

    /** Gives back what it took from the budget (the key is being dropped). */
    void release(Budget budget) {
    }
}
