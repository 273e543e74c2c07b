package io.sluice.storage.ring;

import io.sluice.codec.SeriesKey;

/**
 * One preallocated slot of the ring: a chunk of up to {@link #CAPACITY} samples of one request
 * or one UDP read loop, as columns. Carrying chunks rather than single samples spreads the
 * ring's per-slot cost (claim, publish, each consumer's availability check) over many samples.
 *
 * <p>Producers overwrite {@link #count}, the used part of each column and {@link #ack} when they
 * claim a slot; keys in unused cells may outlive their chunk by at most one lap of the ring.
 * Fields are plain: the ring's sequence barrier publishes them.
 */
public final class SampleEvent {
    /** Samples a slot holds at most. */
    public static final int CAPACITY = 256;
    /** Series id of a sample whose {@link #newKeys} entry still needs an id. */
    public static final int UNRESOLVED = -1;

    public int count;
    /** Series ids, or {@link #UNRESOLVED}. */
    public final int[] seriesIds = new int[CAPACITY];
    /** For unresolved samples, the (frozen) series key; otherwise unused. */
    public final SeriesKey[] newKeys = new SeriesKey[CAPACITY];
    public final long[] times = new long[CAPACITY];
    public final double[] values = new double[CAPACITY];
    /** Training steps, or {@link io.sluice.codec.SampleSink#NO_STEP}. */
    public final long[] steps = new long[CAPACITY];
    /** Completed once these samples are committed (HTTP group commit), or null (UDP). */
    public WriteAck ack;
    /**
     * Slots with the same unit go to the same writer ({@code unit % writers}): every slot of
     * one acknowledged request shares one, so the request is committed by one writer in one
     * transaction; a best-effort slot has its own.
     */
    public long unit;
    /**
     * This slot holds the last samples of its {@link #ack}'s request: once a writer has seen
     * it, nobody waiting on that request gains from the writer lingering for more rows.
     */
    public boolean endsRequest;
}
