package io.sluice.server.udp;

import io.netty.channel.EventLoop;
import io.sluice.codec.Parser;
import io.sluice.codec.SampleSink;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;
import io.sluice.server.protocol.DatagramDecoder;
import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.storage.metrics.Counter;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Datagrams of a protocol whose messages are samples (line protocol, JSON): parse, stage,
 * publish best effort. A full ring drops and counts. One per event loop thread.
 */
public final class SampleDatagrams implements DatagramDecoder {
    /** Longest a partial slot's samples wait for more datagrams before going into the ring. */
    static final long STAGE_NANOS = 2_000_000L;

    private final Ingest ingest;
    private final Parser<SampleSink> parser;
    private final IngestSink sink;
    private final ProtocolCounters counters;
    private final Counter received;
    private boolean flushPending;

    /** @param transport the {@code transport} label of {@code sluice_samples_received_total} */
    public SampleDatagrams(Ingest ingest, ProtocolCounters counters, Parser<SampleSink> parser, String transport) {
        this.ingest = ingest;
        this.parser = parser;
        this.counters = counters;
        this.sink = ingest.newSink(counters).lineSource(parser::line);
        this.received = ingest.counters().received(transport);
    }

    @Override
    public void datagram(InetSocketAddress sender, byte[] buf, int len) {
        IngestSink s = sink.next();
        int before = s.batch().size();
        parser.parse(buf, 0, len, s);
        counters.received(s.batch().size() - before);
        if (s.errorCount() > 0) {
            counters.badInput(sender, s.errors().isEmpty() ? null : s.errors().get(0), s.errorCount());
        }
        if (ingest.port().stagingFull(s.batch())) {
            publish();
        }
    }

    /**
     * A full slot's worth goes into the ring now; less waits up to {@link #STAGE_NANOS} for the
     * next read loops, so small datagrams share ring slots. Paced senders deliver one datagram per
     * read loop: publishing each alone put 25 samples in a 256-sample slot, and the ring, counted
     * in slots, held a tenth of the samples it was sized for.
     */
    @Override
    public void readComplete(EventLoop loop) {
        if (ingest.port().fillsSlot(sink.batch())) {
            publish();
        } else if (sink.batch().size() > 0 && !flushPending) {
            flushPending = true;
            loop.schedule(() -> {
                // Same event loop thread, so no other thread touches this decoder.
                flushPending = false;
                if (sink.batch().size() > 0) {
                    publish();
                }
            }, STAGE_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void closing() {
        if (sink.batch().size() > 0) {
            publish();
        }
    }

    private void publish() {
        int staged = sink.batch().size();
        int published = ingest.port().publishBestEffort(sink.batch());
        received.add(published);
        if (published < staged) {
            counters.dropped("ring_full").add(staged - published);
        }
        sink.batch().clear();
    }
}
