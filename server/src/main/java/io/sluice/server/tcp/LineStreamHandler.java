package io.sluice.server.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.FastThreadLocal;
import io.sluice.codec.LineFramer;
import io.sluice.server.protocol.LineDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * One newline-framed TCP connection (StatsD over TCP): reads go through a {@link LineFramer} of
 * its own to the protocol's decoder of this event loop. No answer is written. An idle connection
 * ({@code IdleStateHandler} before this one) is closed.
 */
public final class LineStreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(LineStreamHandler.class);
    private static final FastThreadLocal<byte[]> BUFFERS = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[65536];
        }
    };

    private final LineFramer framer;
    private final FastThreadLocal<LineDecoder> decoders;
    private final String transport;

    public LineStreamHandler(int maxLine, FastThreadLocal<LineDecoder> decoders, String transport) {
        this.framer = new LineFramer(maxLine);
        this.decoders = decoders;
        this.transport = transport;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            byte[] buf = BUFFERS.get();
            LineDecoder d = decoders.get();
            d.from(ctx.channel().remoteAddress());
            while (in.isReadable()) {
                int n = Math.min(buf.length, in.readableBytes());
                in.readBytes(buf, 0, n);
                framer.feed(buf, 0, n, d);
            }
        } finally {
            in.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        LineDecoder d = decoders.get();
        d.from(ctx.channel().remoteAddress());
        framer.finish(d);
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            log.debug("closing an idle TCP connection [transport={}, remote={}]", transport, ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) { // a reset by the client is no news
            log.warn("TCP handler error, closing the connection [transport={}]", transport, cause);
        }
        ctx.close();
    }
}
