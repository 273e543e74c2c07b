package io.sluice.server.live;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import io.sluice.storage.query.SeriesScope;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One WebSocket connection's delivery state. Runs on its channel's event loop only.
 *
 * <p>Outbound bytes are bounded by the channel's write-buffer high-water mark: while the channel
 * is unwritable, frames wait in a queue of at most {@link #MAX_QUEUED_BYTES} (enough for a burst to
 * a viewer that reads at full speed), and all viewers' queues together hold at most
 * {@link #MAX_QUEUED_BYTES_ALL}; past either, the oldest frames are dropped (released) and counted,
 * and when the viewer drains it is told how many samples it missed.
 * A viewer unwritable for longer than the slow timeout is closed.
 */
final class Viewer {
    static final AttributeKey<Viewer> KEY = AttributeKey.valueOf("sluice.viewer");
    static final long MAX_QUEUED_BYTES = 4L << 20;
    static final long MAX_QUEUED_BYTES_ALL = 256L << 20;

    private record Pending(ByteBuf frame, int samples) {
    }

    final Channel channel;
    /** The series this viewer may see; every group it joins is narrowed to them. */
    final SeriesScope scope;
    final Map<String, Group> subscriptions = new LinkedHashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final LiveCounters counters;
    private final long slowTimeoutNanos;
    private long queuedBytes;
    private long dropped;
    private long unwritableSince;
    private boolean written;

    Viewer(Channel channel, SeriesScope scope, LiveCounters counters, long slowTimeoutNanos) {
        this.channel = channel;
        this.scope = scope;
        this.counters = counters;
        this.slowTimeoutNanos = slowTimeoutNanos;
    }

    /** Takes ownership of {@code frame}: written now (flushed by {@link #flushIfWritten}) or queued. */
    void offer(ByteBuf frame, int samples) {
        if (!channel.isActive()) {
            frame.release();
            return;
        }
        if (!channel.isWritable() && written) {
            flushIfWritten(); // unflushed frames of this hand-off count against the water mark
        }
        if (channel.isWritable() && queue.isEmpty()) {
            send(frame, samples);
            return;
        }
        queue.add(new Pending(frame, samples));
        queued(frame.readableBytes());
        while (queue.size() > 1 && (queuedBytes > MAX_QUEUED_BYTES || counters.queuedBytes.get() > MAX_QUEUED_BYTES_ALL)) {
            Pending old = queue.poll();
            queued(-old.frame.readableBytes());
            dropped += old.samples;
            counters.droppedSlow.add(old.samples);
            old.frame.release();
        }
        long now = System.nanoTime();
        if (unwritableSince == 0) {
            unwritableSince = now;
        } else if (now - unwritableSince > slowTimeoutNanos) {
            counters.closedSlow.inc();
            close(1008, "too slow: unwritable for longer than the live slow-viewer timeout");
        }
    }

    /** The channel drained below the low-water mark: tell about drops, then send what waits. */
    void writable() {
        unwritableSince = 0;
        while (!queue.isEmpty() && channel.isWritable()) {
            Pending p = queue.poll();
            queued(-p.frame.readableBytes());
            send(p.frame, p.samples);
        }
        flushIfWritten();
    }

    private void queued(long bytes) {
        queuedBytes += bytes;
        counters.queuedBytes.addAndGet(bytes);
    }

    void flushIfWritten() {
        if (written) {
            written = false;
            channel.flush();
        }
    }

    private void send(ByteBuf frame, int samples) {
        if (dropped > 0) {
            String notice = "{\"type\":\"dropped\",\"count\":" + dropped
                    + ",\"reason\":\"viewer too slow: oldest batches dropped\"}";
            channel.write(new TextWebSocketFrame(Unpooled.copiedBuffer(notice, StandardCharsets.UTF_8)));
            dropped = 0;
        }
        channel.write(frame, channel.voidPromise()); // a whole WebSocket frame already (WsText)
        written = true;
        counters.frames.inc();
        counters.samples.add(samples);
    }

    void text(String json) {
        channel.writeAndFlush(new TextWebSocketFrame(json), channel.voidPromise());
    }

    void close(int code, String reason) {
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(f -> channel.close());
        // A peer that does not read never lets the close frame out: do not wait for it.
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Releases what still waits; the channel is gone. */
    void closed() {
        Pending p;
        while ((p = queue.poll()) != null) {
            queued(-p.frame.readableBytes());
            p.frame.release();
        }
    }
}
