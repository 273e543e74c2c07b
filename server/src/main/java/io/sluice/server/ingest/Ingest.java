package io.sluice.server.ingest;

import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.ingest.IngestPort;
import io.sluice.storage.metrics.Metrics;

/** What every transport shares to turn parsed samples into stored ones. */
public final class Ingest {
    private final SeriesRegistry registry;
    private final IngestPort port;
    private final Limits limits;
    private final IngestCounters counters;

    public Ingest(SeriesRegistry registry, IngestPort port, Limits limits, Metrics metrics) {
        this.registry = registry;
        this.port = port;
        this.limits = limits;
        this.counters = new IngestCounters(metrics);
    }

    /** A new sink; callers keep one per thread and parser. */
    public IngestSink newSink() {
        return new IngestSink(this, null);
    }

    /** A new sink whose refusals also count in a protocol's counters. */
    public IngestSink newSink(ProtocolCounters protocol) {
        return new IngestSink(this, protocol);
    }

    /** Where staged samples go: best effort or acknowledged. */
    public IngestPort port() {
        return port;
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
