package io.sluice.server;

import io.sluice.server.config.Config;
import io.sluice.server.http.Router;
import io.sluice.server.http.WritePublisher;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.net.Listeners;
import io.sluice.server.protocol.Binding;
import io.sluice.server.protocol.DatagramDecoder;
import io.sluice.server.protocol.LineDecoder;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.server.query.QueryRoutes;
import io.sluice.server.udp.DatagramHandler;
import io.sluice.storage.metrics.Metrics;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the server gives one protocol ({@link Binding}): its listeners get the protocol's source
 * filter ({@link Trust}) and counters; its stage joins the ones closed before the ring drains.
 */
final class ProtocolBinding implements Binding {
    /** What every protocol shares: the server's parts a binding hands out. */
    record Shared(Config cfg, Metrics metrics, Ingest ingest, WritePublisher publisher, Router router,
                  QueryRoutes queries, Trust trust, Listeners listeners, List<AutoCloseable> stages) {
    }

    private final Protocol protocol;
    private final Shared shared;
    private final ProtocolCounters counters;

    ProtocolBinding(Protocol protocol, Shared shared) {
        this.protocol = protocol;
        this.shared = shared;
        this.counters = new ProtocolCounters(protocol.name(), shared.metrics());
    }

    @Override
    public Config config() {
        return shared.cfg();
    }

    @Override
    public Ingest ingest() {
        return shared.ingest();
    }

    @Override
    public ProtocolCounters counters() {
        return counters;
    }

    @Override
    public Metrics metrics() {
        return shared.metrics();
    }

    @Override
    public Router router() {
        return shared.router();
    }

    @Override
    public WritePublisher publisher() {
        return shared.publisher();
    }

    @Override
    public int udp(String transport, int port, Supplier<DatagramDecoder> decoders) throws InterruptedException {
        if (port == 0) {
            return 0;
        }
        DatagramHandler h = new DatagramHandler(transport, decoders, shared.ingest().counters().datagrams(transport));
        return shared.listeners().udp(what(transport), transport, port,
                shared.trust().sourceFilter(protocol.name(), transport), h);
    }

    @Override
    public int tcpLines(String name, int port, int maxLine, Duration idle, Supplier<LineDecoder> decoders)
            throws InterruptedException {
        if (port == 0) {
            return 0;
        }
        return shared.listeners().tcpLines(what(name), name, port, maxLine, idle, decoders,
                shared.trust().sourceFilter(protocol.name(), name), counters.rejected("connection_limit"));
    }

    @Override
    public int http(String name, int port, Router routes) throws InterruptedException {
        if (port == 0) {
            return 0;
        }
        return shared.listeners().http(what(name), name, port, routes);
    }

    /** A listener's name in the log: {@code statsd (udp_statsd)}. */
    private String what(String transport) {
        return protocol.name() + " (" + transport + ")";
    }

    @Override
    public QueryRoutes queries() {
        return shared.queries();
    }

    @Override
    public void stage(AutoCloseable stage) {
        shared.stages().add(stage);
    }
}
