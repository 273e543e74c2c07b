package io.sluice.storage.ingest;

import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import io.sluice.storage.ring.SampleRing;
import io.sluice.storage.writer.WriterMetrics;

/**
 * The one way protocols put samples into storage: decoded samples staged in a
 * {@link SampleBatch} go into the ring, either best effort or acknowledged. How the ring cuts
 * them into slots, and how big a slot is, stays behind this class.
 *
 * <ul>
 *   <li><b>Best effort</b> (UDP, anything nobody waits on): {@link #publishBestEffort} never
 *   waits; what finds no room is dropped and counted in
 *   {@code sluice_samples_dropped_total{reason="ring_full"}}. A transport that receives small
 *   pieces stages them in one batch until {@link #fillsSlot} (then publishing wastes no ring
 *   room) or a short timer of its own fires; {@link #stagingFull} tells it to publish before
 *   staging more.</li>
 *   <li><b>Acknowledged</b> (HTTP): {@link #acknowledged} wraps one request; its
 *   {@link AcknowledgedWrite#tryPublish} puts the whole request in or nothing, never waits, and
 *   may be called again later while the ring is full; the listener hears once that the request
 *   was committed or failed.</li>
 * </ul>
 * Thread-safe: any number of event loops publish at once.
 */
public final class IngestPort {
    private final SampleRing ring;
    private final Counter ringFull;

    public IngestPort(SampleRing ring, Metrics metrics) {
        this.ring = ring;
        this.ringFull = WriterMetrics.ringFull(metrics);
    }

    /**
     * Publishes the whole batch, as far as the ring has room, without waiting: pieces that find
     * no room are dropped and counted. The batch is left as it was (the caller clears it).
     *
     * @return samples published
     */
    public int publishBestEffort(SampleBatch batch) {
        int published = 0;
        for (int from = 0; from < batch.size(); from += SampleRing.MAX_CHUNK) {
            int n = Math.min(SampleRing.MAX_CHUNK, batch.size() - from);
            if (ring.tryPublish(batch, from, n)) {
                published += n;
            } else {
                ringFull.add(n);
            }
        }
        return published;
    }

    /** A staged best-effort batch fills at least one ring slot: publishing it now wastes no room. */
    public boolean fillsSlot(SampleBatch staged) {
        return staged.size() >= SampleEvent.CAPACITY;
    }

    /** A staged best-effort batch holds as much as one claim of the ring takes: publish before staging more. */
    public boolean stagingFull(SampleBatch staged) {
        return staged.size() >= SampleRing.MAX_CHUNK;
    }

    /**
     * Whether shutdown has begun draining the ring: nothing is let in any more, so a write that
     * finds no room need not wait for some.
     */
    public boolean closed() {
        return ring.closed();
    }

    /** The most samples one acknowledged request may hold; a bigger one is refused whole. */
    public int maxRequestSamples() {
        return ring.maxRequestSamples();
    }

    /**
     * One acknowledged request of the samples in {@code batch}; nothing is published until
     * {@link AcknowledgedWrite#tryPublish}. The caller may reuse {@code batch} once that first
     * call returns, whatever it returned.
     */
    public AcknowledgedWrite acknowledged(SampleBatch batch, WriteListener listener) {
        return new AcknowledgedWrite(ring, batch, listener);
    }
}
