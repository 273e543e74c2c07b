package io.sluice.codec.otlp;

/** What one OTLP export request held, beside the samples given to the sink. Reset by each parse. */
public final class OtlpStats {
    int metrics;
    int points;
    int rejectedPoints;
    int noRecordedValue;
    int exemplars;
    int samples;

    void clear() {
        metrics = points = rejectedPoints = noRecordedValue = exemplars = samples = 0;
    }

    /** Metric messages read. */
    public int metrics() {
        return metrics;
    }

    /** Data points read, of every kind; each is one {@code line} of the parser. */
    public int points() {
        return points;
    }

    /** Data points refused by the parser (each reported as one error); the sink may refuse more. */
    public int rejectedPoints() {
        return rejectedPoints;
    }

    /** Points flagged {@code FLAG_NO_RECORDED_VALUE}: nothing to store, as a stale marker. */
    public int noRecordedValue() {
        return noRecordedValue;
    }

    /** Exemplars, accepted and not stored. */
    public int exemplars() {
        return exemplars;
    }

    /** Samples given to the sink. */
    public int samples() {
        return samples;
    }
}
