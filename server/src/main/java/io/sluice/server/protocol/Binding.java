package io.sluice.server.protocol;

import io.sluice.server.config.Config;
import io.sluice.server.http.Router;
import io.sluice.server.http.WritePublisher;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.query.QueryRoutes;
import io.sluice.storage.metrics.Metrics;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * What the server gives a {@link Protocol} at start: its settings, the way into storage, its
 * counters, and listeners it asks for. One per protocol.
 */
public interface Binding {
    Config config();

    /** Per-thread sinks that check limits, find series ids and stage samples for the ring. */
    Ingest ingest();

    /** This protocol's counters ({@code protocol} label set). */
    ProtocolCounters counters();

    /** Sluice's metrics, for a protocol's own gauges. */
    Metrics metrics();

    /** The shared HTTP port's routes (present even when {@code http_port} is 0). */
    Router router();

    /**
     * Answers an HTTP write the InfluxDB way once it is committed: 204, 400 naming refused lines
     * (partial write), 503 with Retry-After. A protocol with other conventions answers itself.
     */
    WritePublisher publisher();

    /**
     * Listens for datagrams on {@code port} ({@code udp_readers} sockets where the OS can share a
     * port); each event loop gets its own decoder. Nothing when port is 0. {@code transport} is
     * the listener's name in logs and the {@code transport} label of its datagram counter.
     *
     * @return the bound port, or 0
     */
    int udp(String transport, int port, Supplier<DatagramDecoder> decoders) throws InterruptedException;

    /**
     * Listens for newline-framed TCP streams on {@code port}: lines up to {@code maxLine} bytes
     * (a longer one is skipped and reported), connections idle for {@code idle} closed. Nothing
     * when port is 0.
     *
     * @return the bound port, or 0
     */
    int tcpLines(String transport, int port, int maxLine, Duration idle, Supplier<LineDecoder> decoders)
            throws InterruptedException;

    /**
     * Listens for HTTP on a port of the protocol's own ({@code otlp_http_port}), answering only
     * {@code routes}, with the main port's pipeline and limits. Nothing when port is 0.
     *
     * @return the bound port, or 0
     */
    int http(String name, int port, Router routes) throws InterruptedException;

    /** The native query path's worker pool and service, for protocols that answer queries (InfluxQL). */
    QueryRoutes queries();

    /**
     * Something between the protocol's parsers and the ring (StatsD's aggregation): closed after
     * every listener has stopped and before the ring drains, so what it holds is stored.
     */
    void stage(AutoCloseable stage);
}
