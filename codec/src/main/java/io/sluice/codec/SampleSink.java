package io.sluice.codec;

/**
 * Receives what a parser finds. Parsers call it synchronously and keep no reference to it.
 *
 * <p>The {@link SeriesKey} passed to {@link #sample} is the parser's reused flyweight: it is valid
 * only during the call. A sink that keeps it must call {@link SeriesKey#frozen()}.
 */
public interface SampleSink extends ErrorSink {
    /** Time value meaning "no timestamp given": the receiver stamps the arrival time. */
    long NO_TIME = Long.MIN_VALUE;
    /** Step value meaning "no training step". */
    long NO_STEP = Long.MIN_VALUE;

    /**
     * One numeric sample.
     *
     * @param timeMicros microseconds since the Unix epoch, or {@link #NO_TIME}
     * @param step       a training step, or {@link #NO_STEP}
     */
    void sample(SeriesKey key, long timeMicros, double value, long step);

    /** A field that is valid but not numeric (an InfluxDB string field): skipped, counted. */
    default void skippedField() {
    }
}
