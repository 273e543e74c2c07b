package io.sluice.server.protocol;

import io.sluice.codec.ParseError;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One protocol's counters, labelled {@code protocol}: what it accepted from clients (samples, or
 * StatsD values, that parsed and passed the limits), what it refused by reason, what it lost
 * after accepting by reason, and what it skipped as valid but not stored. Bad input is also
 * summarised in the log, at most every ten seconds a protocol, never line by line.
 */
public final class ProtocolCounters {
    private static final Logger log = LoggerFactory.getLogger(ProtocolCounters.class);
    private static final long SUMMARY_NANOS = 10_000_000_000L;

    private final String protocol;
    private final Metrics metrics;
    private final Counter received;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final Map<String, Counter> skipped = new ConcurrentHashMap<>();
    private volatile long lastSummaryNanos = System.nanoTime() - SUMMARY_NANOS;
    private volatile ParseError lastError;
    private volatile SocketAddress lastPeer;
    private final LongAdder since = new LongAdder();

    public ProtocolCounters(String protocol, Metrics metrics) {
        this.protocol = protocol;
        this.metrics = metrics;
        this.received = metrics.counter("sluice_protocol_received_total",
                "Samples (StatsD: values) a protocol accepted from clients, by protocol.", "protocol", protocol);
    }

    public String protocol() {
        return protocol;
    }

    public void received(long n) {
        received.add(n);
    }

    /** Refused input: a line that did not parse, a sample past a limit. */
    public Counter rejected(String reason) {
        return rejected.computeIfAbsent(reason, r -> metrics.counter("sluice_protocol_rejected_total",
                "Lines or samples a protocol refused, by protocol and reason.", "protocol", protocol, "reason", r));
    }

    /** Accepted input lost afterwards: a full ring, a limit of the protocol's own stage. */
    public Counter dropped(String reason) {
        return dropped.computeIfAbsent(reason, r -> metrics.counter("sluice_protocol_dropped_total",
                "Samples or values a protocol accepted and then lost, by protocol and reason.", "protocol", protocol,
                "reason", r));
    }

    /** Valid input that is not stored (a string field, a DogStatsD event). */
    public Counter skipped(String what) {
        return skipped.computeIfAbsent(what, w -> metrics.counter("sluice_protocol_skipped_total",
                "Valid input a protocol does not store, by protocol and kind.", "protocol", protocol, "what", w));
    }

    /**
     * Notes refused input for the log's summary (the counters are kept by the caller): the summary
     * names the latest error and the client that sent it, as the HTTP warnings name their peer.
     */
    public void badInput(SocketAddress peer, ParseError latest, int n) {
        lastError = latest;
        lastPeer = peer;
        since.add(n);
        long now = System.nanoTime();
        long last = lastSummaryNanos;
        if (now - last > SUMMARY_NANOS) {
            lastSummaryNanos = now;
            log.warn("bad input refused (counted in sluice_protocol_rejected_total) [protocol={}, sinceLastSummary={},"
                    + " peer={}, latest={}]", protocol, since.sumThenReset(), address(lastPeer), lastError);
        }
    }

    /** A client's IP address as the other warnings print it (no port: a client's ports change). */
    private static String address(SocketAddress peer) {
        if (peer instanceof InetSocketAddress a) {
            return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        }
        return peer == null ? "?" : peer.toString();
    }
}
