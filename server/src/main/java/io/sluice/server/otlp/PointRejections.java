package io.sluice.server.otlp;

import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.server.ingest.IngestSink;
import io.sluice.server.ingest.Stamp;

import java.util.function.IntSupplier;

/**
 * Counts OTLP data points with at least one sample refused, whether the parser refused the point
 * or the ingest sink one of its samples (a limit): {@code partial_success.rejected_data_points}
 * counts points, and a histogram point is many samples. Points arrive in order, each its own
 * {@code line}, so remembering the last one counted is enough.
 */
final class PointRejections implements SampleSink {
    private final IngestSink sink;
    private final IntSupplier line;
    private int lastCounted;
    private int rejectedPoints;

    PointRejections(IngestSink sink, IntSupplier line) {
        this.sink = sink;
        this.line = line;
    }

    PointRejections begin() {
        return begin(Stamp.NONE);
    }

    /** Starts a request whose samples get {@code stamp}'s tags (a tenant's). */
    PointRejections begin(Stamp stamp) {
        sink.begin(stamp);
        lastCounted = 0;
        rejectedPoints = 0;
        return this;
    }

    int rejectedPoints() {
        return rejectedPoints;
    }

    IngestSink sink() {
        return sink;
    }

    @Override
    public void sample(SeriesKey key, long timeMicros, double value, long step) {
        int before = sink.errorCount();
        sink.sample(key, timeMicros, value, step);
        if (sink.errorCount() != before) {
            count(line.getAsInt());
        }
    }

    @Override
    public void error(ParseError error) {
        sink.error(error);
        count(error.line());
    }

    private void count(int point) {
        if (point != lastCounted) {
            lastCounted = point;
            rejectedPoints++;
        }
    }
}
