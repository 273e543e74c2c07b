package io.sluice.server.statsd;

import io.sluice.codec.ParseError;
import io.sluice.codec.statsd.AggregatingSink;
import io.sluice.codec.statsd.StatsdAggregator;
import io.sluice.codec.statsd.StatsdParser;
import io.sluice.server.protocol.DatagramDecoder;
import io.sluice.server.protocol.LineDecoder;
import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.storage.metrics.Counter;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * StatsD lines from datagrams or TCP streams, on one event loop thread: parsed, folded into the
 * shared aggregator; bad lines counted and summarised in the log; events and service checks
 * counted. Nothing reaches the ring before a flush.
 */
final class StatsdDecoder implements DatagramDecoder, LineDecoder {
    private final StatsdParser parser;
    private final ProtocolCounters counters;
    private final Counter parseErrors;
    private final Counter events;
    private final Counter checks;
    private final AggregatingSink sink;
    private final int maxLine;
    private ParseError lastError;
    private int errors;
    /** Who sent the lines being parsed: a datagram's sender, a TCP connection's client. */
    private SocketAddress peer;

    StatsdDecoder(StatsdAggregator aggregator, ProtocolCounters counters, int maxLine) {
        this.parser = new StatsdParser(maxLine);
        this.counters = counters;
        this.maxLine = maxLine;
        this.parseErrors = counters.rejected("parse");
        this.events = counters.skipped("event");
        this.checks = counters.skipped("service_check");
        this.sink = new AggregatingSink(aggregator, e -> {
            parseErrors.inc();
            lastError = e;
            errors++;
        }) {
            @Override
            public void skipped(Skipped what) {
                (what == Skipped.EVENT ? events : checks).inc();
            }
        };
    }

    @Override
    public void datagram(InetSocketAddress sender, byte[] buf, int len) {
        peer = sender;
        lines(buf, 0, len);
    }

    @Override
    public void from(SocketAddress client) {
        peer = client;
    }

    @Override
    public void lines(byte[] buf, int off, int len) {
        errors = 0;
        counters.received(parser.parse(buf, off, len, sink));
        if (errors > 0) {
            counters.badInput(peer, lastError, errors);
        }
    }

    @Override
    public void tooLong(int length) {
        parseErrors.inc(); // as the parser counts a long line it gets whole
        counters.badInput(peer, new ParseError(1, 1, "TCP line longer than " + maxLine + " bytes (statsd_max_line): skipped",
                ""), 1);
    }
}
