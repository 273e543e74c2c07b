package io.sluice.server.ingest;

import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleRing;

/** What every transport shares to turn parsed samples into ring slots. */
public final class Ingest {
    private final SeriesRegistry registry;
    private final SampleRing ring;
    private final Limits limits;
    private final IngestCounters counters;

    public Ingest(SeriesRegistry registry, SampleRing ring, Limits limits, Metrics metrics) {
        this.registry = registry;
        this.ring = ring;
        this.limits = limits;
        this.counters = new IngestCounters(metrics);
    }

    /** A new sink; callers keep one per thread and parser. */
    public IngestSink newSink() {
        return new IngestSink(this);
    }

    /**
     * Publishes a whole batch without waiting (UDP): each chunk that finds no room is dropped
     * and counted.
     *
     * @return samples published
     */
    public int publishBestEffort(SampleBatch batch) {
        int published = 0;
        for (int from = 0; from < batch.size(); from += SampleRing.MAX_CHUNK) {
            int n = Math.min(SampleRing.MAX_CHUNK, batch.size() - from);
            if (ring.tryPublish(batch, from, n, null)) {
                published += n;
            } else {
                counters.ringFull.add(n);
            }
        }
        return published;
    }

    public SampleRing ring() {
        return ring;
    }

    public SeriesRegistry registry() {
        return registry;
    }

    public Limits limits() {
        return limits;
    }

    public IngestCounters counters() {
        return counters;
    }
}
