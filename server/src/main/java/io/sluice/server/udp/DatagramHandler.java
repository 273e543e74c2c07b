package io.sluice.server.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import io.sluice.server.protocol.DatagramDecoder;
import io.sluice.storage.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Hands each datagram to its protocol's decoder on the event loop that read it (one decoder per
 * thread, so decoders need no locks). Best effort, no answer. {@link SimpleChannelInboundHandler}
 * releases each packet.
 */
@ChannelHandler.Sharable
public final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(DatagramHandler.class);

    private final String transport;
    private final FastThreadLocal<DatagramDecoder> decoders;
    private final FastThreadLocal<byte[]> buffers = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[65536];
        }
    };
    private final Counter datagrams;

    public DatagramHandler(String transport, Supplier<DatagramDecoder> decoderFactory, Counter datagrams) {
        this.transport = transport;
        this.decoders = new FastThreadLocal<>() {
            @Override
            protected DatagramDecoder initialValue() {
                return decoderFactory.get();
            }
        };
        this.datagrams = datagrams;
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
        decoders.get().datagram(packet.sender(), buf, n);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        decoders.get().readComplete(ctx.channel().eventLoop());
    }

    /** Closing (shutdown): what a decoder staged goes on before the ring drains. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        decoders.get().closing();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket stays open whatever one packet did.
        log.warn("UDP handler error [transport={}]", transport, cause);
    }
}
