package io.sluice.storage.ingest;

import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleRing;
import io.sluice.storage.ring.WriteAck;
import io.sluice.storage.writer.UnknownCommit;

/**
 * One acknowledged request on its way into the ring. Used by one thread at a time (the event
 * loop that received the request); its listener is called from a writer thread.
 */
public final class AcknowledgedWrite {
    /** What a {@link #tryPublish} did. */
    public enum Publish {
        /** The whole request is in the ring; the listener will hear how it ends. */
        PUBLISHED,
        /** Nothing was published: the ring has no room for the whole request now. Try again later. */
        RING_FULL,
        /** Nothing was published, and never will be: more than {@link #maxSamples()} samples. */
        TOO_LARGE
    }

    private final SampleRing ring;
    private final WriteAck ack;
    private final int samples;
    private SampleBatch batch;
    private boolean copied;
    private boolean published;

    AcknowledgedWrite(SampleRing ring, SampleBatch batch, WriteListener listener) {
        this.ring = ring;
        this.batch = batch;
        this.samples = batch.size();
        this.ack = new WriteAck(listener);
    }

    /**
     * Puts every sample of the request into the ring, or none; never waits. After
     * {@link Publish#RING_FULL} the request keeps its own copy of the samples, so the caller
     * can try again later (e.g. on a timer of its event loop) while reusing its batch.
     * An empty request is published at once and committed at once.
     */
    public Publish tryPublish() {
        if (published) {
            throw new IllegalStateException("already published");
        }
        if (samples > ring.maxRequestSamples()) {
            return Publish.TOO_LARGE;
        }
        if (samples == 0) {
            published = true;
            ack.claim();
            ack.committed();
            return Publish.PUBLISHED;
        }
        if (ring.tryPublishRequest(batch, ack)) {
            published = true;
            batch = null;
            return Publish.PUBLISHED;
        }
        if (!copied) {
            batch = batch.copyFrom(0);
            copied = true;
        }
        return Publish.RING_FULL;
    }

    /**
     * The caller stops waiting (its deadline passed, its client went away) and would rather the
     * request were not stored, so that a retry stores it once. Returns true when it is withdrawn
     * now: nothing of it is or will be stored, and the listener has heard
     * {@link WriteOutcome#WITHDRAWN}. Returns false when a commit already includes it (the
     * listener will hear how that ends: committed, or withdrawn if it rolled back) or it ended.
     * Before {@link #tryPublish} returned {@link Publish#PUBLISHED} there is nothing to withdraw:
     * the caller simply stops trying.
     */
    public boolean withdraw() {
        return published && ack.withdraw();
    }

    /** Samples in the request. */
    public int samples() {
        return samples;
    }

    /** The most samples a request may hold. */
    public int maxSamples() {
        return ring.maxRequestSamples();
    }

    /**
     * When the request {@link WriteOutcome#FAILED} as part of a batch whose COMMIT went
     * unanswered, that batch (stored whole or not at all, and how is learnt from it); null otherwise.
     */
    public UnknownCommit unknownCommit() {
        return ack.unknownCommit();
    }

    /** Whether the listener has been called. */
    public boolean isDone() {
        return ack.isDone();
    }
}
