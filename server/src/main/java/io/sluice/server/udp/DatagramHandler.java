package io.sluice.server.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import io.sluice.codec.ParseError;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;
import io.sluice.storage.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Decodes datagrams (best effort, no answer): parse, stage, publish without waiting. A full
 * ring drops and counts; bad lines are counted and summarised in the log at most every ten
 * seconds, never logged one by one. {@link SimpleChannelInboundHandler} releases each packet.
 */
@ChannelHandler.Sharable
public final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(DatagramHandler.class);
    private static final long SUMMARY_NANOS = 10_000_000_000L;
    /** Longest a partial slot's samples wait for more datagrams before going into the ring. */
    static final long STAGE_NANOS = 2_000_000L;

    /** A protocol's parser bound to a sink, one per event loop thread. */
    public interface Decoder {
        IngestSink sink();

        void decode(byte[] buf, int len, IngestSink sink);
    }

    private final Ingest ingest;
    private final String transport;
    private final FastThreadLocal<Decoder> decoders;
    private final FastThreadLocal<byte[]> buffers = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[65536];
        }
    };
    /** Per event loop thread: a flush of staged samples is scheduled. */
    private final FastThreadLocal<boolean[]> flushPending = new FastThreadLocal<>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };
    private final Counter received;
    private final Counter datagrams;
    private volatile long lastSummaryNanos;
    private volatile ParseError lastError;

    public DatagramHandler(Ingest ingest, String transport, java.util.function.Supplier<Decoder> decoderFactory) {
        this.ingest = ingest;
        this.transport = transport;
        this.decoders = new FastThreadLocal<>() {
            @Override
            protected Decoder initialValue() {
                return decoderFactory.get();
            }
        };
        this.received = ingest.counters().received(transport);
        this.datagrams = ingest.counters().datagrams(transport);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        datagrams.inc();
        ByteBuf content = packet.content();
        int n = content.readableBytes();
        byte[] buf = buffers.get();
        if (n > buf.length) {
            return; // cannot happen: a UDP payload is at most 65507 bytes
        }
        content.getBytes(content.readerIndex(), buf, 0, n);
        Decoder d = decoders.get();
        IngestSink sink = d.sink().next();
        d.decode(buf, n, sink);
        if (sink.errorCount() > 0) {
            noteErrors(sink);
        }
        if (ingest.port().stagingFull(sink.batch())) {
            publish(sink);
        }
    }

    /**
     * The end of a read loop (up to Netty's messages-per-read datagrams). A full slot's worth goes
     * into the ring now; less waits up to {@link #STAGE_NANOS} for the next read loops, so small
     * datagrams share ring slots. Paced senders deliver one datagram per read loop: publishing
     * each alone put 25 samples in a 256-sample slot, and the ring, counted in slots, held a
     * tenth of the samples it was sized for.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        IngestSink sink = decoders.get().sink();
        if (ingest.port().fillsSlot(sink.batch())) {
            publish(sink);
        } else if (sink.batch().size() > 0 && !flushPending.get()[0]) {
            flushPending.get()[0] = true;
            ctx.executor().schedule(() -> {
                // Same event loop thread, so the same thread-local sink.
                flushPending.get()[0] = false;
                IngestSink s = decoders.get().sink();
                if (s.batch().size() > 0) {
                    publish(s);
                }
            }, STAGE_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Closing (shutdown): what is staged goes into the ring before the ring drains. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        IngestSink sink = decoders.get().sink();
        if (sink.batch().size() > 0) {
            publish(sink);
        }
        super.channelInactive(ctx);
    }

    private void publish(IngestSink sink) {
        received.add(ingest.port().publishBestEffort(sink.batch()));
        sink.batch().clear();
    }

    private void noteErrors(IngestSink sink) {
        if (!sink.errors().isEmpty()) {
            lastError = sink.errors().get(0);
        }
        long now = System.nanoTime();
        if (now - lastSummaryNanos > SUMMARY_NANOS) {
            lastSummaryNanos = now;
            log.warn("bad UDP input (counted in sluice_samples_rejected_total) [transport={}, latest={}]",
                    transport, lastError);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket stays open whatever one packet did.
        log.warn("UDP handler error [transport={}]", transport, cause);
    }
}
