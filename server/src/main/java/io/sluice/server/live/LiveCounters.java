package io.sluice.server.live;

import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;

/** Live streaming counters (README, "Watch it live" and "Operations": viewers, frames, samples, drops, cross-node). */
final class LiveCounters {
    final Counter frames;
    final Counter samples;
    final Counter droppedSlow;
    final Counter closedSlow;
    final Counter crossIn;
    final Counter crossOut;
    final Counter crossErrors;
    final Counter crossDropped;
    final Counter protocolErrors;
    /** Bytes waiting in slow viewers' queues, all viewers (a frame shared by several counts for each). */
    final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();

    LiveCounters(Metrics m) {
        frames = m.counter("sluice_live_frames_total", "WebSocket frames of samples sent to viewers.");
        samples = m.counter("sluice_live_samples_sent_total", "Samples sent to viewers (counted once per viewer).");
        droppedSlow = m.counter("sluice_live_samples_dropped_total", "Samples dropped for slow viewers.");
        closedSlow = m.counter("sluice_live_viewers_closed_slow_total", "Viewers closed for staying unwritable.");
        crossIn = m.counter("sluice_live_cross_node_messages_total", "Batches exchanged with other nodes via Redis.",
                "direction", "in");
        crossOut = m.counter("sluice_live_cross_node_messages_total", "Batches exchanged with other nodes via Redis.",
                "direction", "out");
        crossErrors = m.counter("sluice_live_cross_node_errors_total", "Redis publish or decode failures.");
        crossDropped = m.counter("sluice_live_cross_node_samples_dropped_total",
                "Samples from other nodes dropped because the live hub fell behind them.");
        m.gauge("sluice_live_queued_bytes", "Bytes waiting for slow viewers, beyond their sockets' write buffers.",
                queuedBytes::get);
        protocolErrors = m.counter("sluice_live_protocol_errors_total",
                "Viewer messages answered with an error, and frames that broke RFC 6455 (closed).");
    }
}
