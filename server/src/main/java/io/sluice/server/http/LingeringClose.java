package io.sluice.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after its last answer without losing that answer. A socket closed while
 * the client is still sending (the rest of a body refused 413, say) has unread bytes, and the
 * kernel answers them with a reset that can discard the answer before the client reads it. So,
 * as RFC 9112 §9.6 advises, the server closes only its sending side (TLS: close_notify), then
 * reads and drops what still arrives until the client closes, {@link #MAX_BYTES} have come or
 * {@link #LINGER_MILLIS} have passed, whichever is first; then it closes.
 */
final class LingeringClose implements ChannelFutureListener {
    static final LingeringClose AFTER_ANSWER = new LingeringClose();
    static final long LINGER_MILLIS = 2_000;
    static final long MAX_BYTES = 4L << 20;

    private LingeringClose() {
    }

    @Override
    public void operationComplete(ChannelFuture f) {
        Channel ch = f.channel();
        if (!f.isSuccess() || !ch.isActive()) {
            ch.close();
            return;
        }
        ChannelPipeline p = ch.pipeline();
        SslHandler tls = p.get(SslHandler.class);
        // Every HTTP handler goes, newest first, so whatever the decoder still holds reaches the drain.
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, ChannelHandler> e : p) {
            if (e.getValue() != tls) {
                names.add(e.getKey());
            }
        }
        p.addLast("linger", new Drain());
        for (int i = names.size() - 1; i >= 0; i--) {
            p.remove(names.get(i));
        }
        if (tls != null) {
            tls.closeOutbound();
        } else if (ch instanceof DuplexChannel d) {
            d.shutdownOutput();
        }
        ch.config().setAutoRead(true);
        ch.eventLoop().schedule(() -> ch.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        ch.read();
    }

    /** Drops what the client still sends; closes once it has sent too much. */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                bytes += b.readableBytes();
            }
            ReferenceCountUtil.release(msg);
            if (bytes > MAX_BYTES) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset while draining: nothing more to protect
        }
    }
}
