package io.sluice.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.HdrHistogram.Recorder;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ws scenario's viewers: WebSocket clients on two Netty event loops. Each frame is scanned as
 * bytes for {@code "value":} (the value is the sender's System.nanoTime()), so a viewer costs
 * little CPU and allocates almost nothing: on a 2-core machine the harness's own cost and GC
 * pauses otherwise show up in the latency it measures.
 */
final class LiveViewers implements AutoCloseable {
    private static final byte[] VALUE = "\"value\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DROPPED = "{\"type\":\"dropped\"".getBytes(StandardCharsets.US_ASCII);

    final LongAdder received = new LongAdder();
    final LongAdder droppedNotices = new LongAdder();
    private final Recorder latency;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<Channel> channels = new ArrayList<>();

    LiveViewers(Recorder latency) {
        this.latency = latency;
    }

    /** Opens a viewer and sends {@code subscribe} once the handshake is done; completes then. */
    Future<Channel> open(URI uri, String subscribe) {
        Promise<Channel> ready = group.next().newPromise();
        WebSocketClientProtocolConfig cfg = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .maxFramePayloadLength(64 << 20)
                .handshakeTimeoutMillis(30_000)
                .build();
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(cfg), new Reader(subscribe, ready));
                    }
                })
                .connect(uri.getHost(), uri.getPort())
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        ready.tryFailure(f.cause());
                    }
                });
        return ready;
    }

    /** Opens {@code subscribes.size()} viewers, at most 500 handshakes in flight. */
    void openAll(URI uri, List<String> subscribes) throws Exception {
        List<Future<Channel>> opening = new ArrayList<>();
        for (String s : subscribes) {
            opening.add(open(uri, s));
            if (opening.size() >= 500) {
                awaitAll(opening);
            }
        }
        awaitAll(opening);
    }

    private void awaitAll(List<Future<Channel>> opening) throws Exception {
        for (Future<Channel> f : opening) {
            if (!f.await(30, TimeUnit.SECONDS) || !f.isSuccess()) {
                throw new IllegalStateException("a viewer did not connect", f.cause());
            }
            channels.add(f.getNow());
        }
        opening.clear();
    }

    int size() {
        return channels.size();
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Reader extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final String subscribe;
        private final Promise<Channel> ready;

        Reader(String subscribe, Promise<Channel> ready) {
            this.subscribe = subscribe;
            this.ready = ready;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ctx.writeAndFlush(new TextWebSocketFrame(subscribe))
                        .addListener(f -> {
                            if (f.isSuccess()) {
                                ready.trySuccess(ctx.channel());
                            } else {
                                ready.tryFailure(f.cause());
                            }
                        });
            } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                ready.tryFailure(new IllegalStateException("handshake timed out"));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ready.tryFailure(cause);
            ctx.close();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            long now = System.nanoTime();
            ByteBuf b = frame.content();
            int end = b.writerIndex();
            if (startsWith(b, b.readerIndex(), DROPPED)) {
                droppedNotices.increment();
                return;
            }
            int at = b.readerIndex();
            while ((at = indexOf(b, at, end, VALUE)) >= 0) {
                at += VALUE.length;
                long v = 0;
                int i = at;
                while (i < end && b.getByte(i) >= '0' && b.getByte(i) <= '9') {
                    v = v * 10 + (b.getByte(i) - '0');
                    i++;
                }
                byte stop = i < end ? b.getByte(i) : (byte) '}';
                if (stop == '.' || stop == 'E' || stop == 'e') { // not an integer: rare, read it fully
                    int j = i;
                    while (j < end && b.getByte(j) != ',' && b.getByte(j) != '}') {
                        j++;
                    }
                    v = (long) Double.parseDouble(b.toString(at, j - at, StandardCharsets.US_ASCII));
                    i = j;
                }
                latency.recordValue(Math.max(0, (now - v) / 1000));
                received.increment();
                at = i;
            }
        }
    }

    private static boolean startsWith(ByteBuf b, int at, byte[] p) {
        if (b.writerIndex() - at < p.length) {
            return false;
        }
        for (int k = 0; k < p.length; k++) {
            if (b.getByte(at + k) != p[k]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(ByteBuf b, int from, int end, byte[] p) {
        for (int i = from; i <= end - p.length; i++) {
            if (b.getByte(i) == p[0] && startsWith(b, i, p)) {
                return i;
            }
        }
        return -1;
    }
}
