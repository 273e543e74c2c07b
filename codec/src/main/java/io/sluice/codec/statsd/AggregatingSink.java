package io.sluice.codec.statsd;

import io.sluice.codec.ErrorSink;
import io.sluice.codec.ParseError;
import io.sluice.codec.SeriesKey;

/**
 * Puts a parser's values into an {@link StatsdAggregator} (shared by every parser thread) and
 * its errors into a sink of the parser's own thread. Subclasses count skipped lines.
 */
public class AggregatingSink implements StatsdSink {
    private final StatsdAggregator into;
    private final ErrorSink errors;

    public AggregatingSink(StatsdAggregator into, ErrorSink errors) {
        this.into = into;
        this.errors = errors;
    }

    @Override
    public final void metric(SeriesKey key, StatsdType type, double value, double sampleRate, boolean relative) {
        into.metric(key, type, value, sampleRate, relative);
    }

    @Override
    public final void setMember(SeriesKey key, byte[] buf, int off, int len) {
        into.setMember(key, buf, off, len);
    }

    @Override
    public final void error(ParseError error) {
        errors.error(error);
    }
}
