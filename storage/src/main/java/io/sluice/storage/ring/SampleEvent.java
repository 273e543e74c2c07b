package io.sluice.storage.ring;

import io.sluice.codec.SeriesKey;

/**
 * One preallocated slot of the ring. Producers overwrite every field when they claim it, so a
 * slot pins its key and ack for at most one lap of the ring. Fields are plain: the ring's
 * sequence barrier publishes them.
 */
public final class SampleEvent {
    /** Series id, or {@link #UNRESOLVED} when {@link #newKey} still needs an id. */
    public int seriesId;
    /** The series of a sample whose id was not cached when it was published; else null. */
    public SeriesKey newKey;
    public long timeMicros;
    public double value;
    /** Training step, or {@link io.sluice.codec.SampleSink#NO_STEP}. */
    public long step;
    /** Completed once this sample is committed (HTTP group commit), or null (UDP). */
    public WriteAck ack;

    public static final int UNRESOLVED = -1;
}
