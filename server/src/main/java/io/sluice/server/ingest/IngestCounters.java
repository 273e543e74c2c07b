package io.sluice.server.ingest;

import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;

import java.util.EnumMap;
import java.util.Map;

/** Ingest-side counters, registered once. */
public final class IngestCounters {
    private final Map<Reject, Counter> rejected = new EnumMap<>(Reject.class);
    final Counter skippedFields;
    private final Metrics metrics;

    IngestCounters(Metrics m) {
        this.metrics = m;
        for (Reject r : Reject.values()) {
            rejected.put(r, m.counter("sluice_samples_rejected_total",
                    "Lines or samples refused (parse errors count once per line), by reason.", "reason", r.label));
        }
        skippedFields = m.counter("sluice_fields_skipped_total", "Non-numeric (string) fields skipped.");
    }

    Counter rejected(Reject r) {
        return rejected.get(r);
    }

    /** Datagrams read from one UDP transport. */
    public Counter datagrams(String transport) {
        return metrics.counter("sluice_udp_datagrams_total", "UDP datagrams read, by transport.", "transport", transport);
    }

    /** HTTP writes answered 503, by reason (ring_full, ack_timeout). */
    public Counter httpRefused(String reason) {
        return metrics.counter("sluice_http_writes_refused_total",
                "HTTP writes answered 503 (the client should retry), by reason.", "reason", reason);
    }

    /** Samples accepted into the ring from one transport. */
    public Counter received(String transport) {
        return metrics.counter("sluice_samples_received_total", "Samples accepted into the ring, by transport.",
                "transport", transport);
    }
}
