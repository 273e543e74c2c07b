package io.sluice.codec.statsd;

import io.sluice.codec.ErrorSink;
import io.sluice.codec.ParseError;
import io.sluice.codec.SeriesKey;

/**
 * Receives what {@link StatsdParser} finds: one call per value, before any aggregation. Called
 * synchronously; the {@link SeriesKey} and the member bytes are valid only during the call.
 */
public interface StatsdSink extends ErrorSink {
    /** What DogStatsD sends besides metrics: valid, counted, not stored. */
    enum Skipped { EVENT, SERVICE_CHECK }

    /**
     * One value of a counter, gauge, timing, histogram or distribution.
     *
     * @param key        the series: the bucket's name and tags, and {@code metric_type}
     * @param sampleRate in (0, 1]; 1 when none was given
     * @param relative   a gauge value written with a sign: added to the gauge, not set
     */
    void metric(SeriesKey key, StatsdType type, double value, double sampleRate, boolean relative);

    /** One member of a set, {@code buf[off, off+len)}: any bytes but '|' and newline. */
    void setMember(SeriesKey key, byte[] buf, int off, int len);

    /** A line that could not be parsed; nothing of it was given to the sink. */
    @Override
    void error(ParseError error);

    /** A DogStatsD event or service check line. */
    default void skipped(Skipped what) {
    }
}
