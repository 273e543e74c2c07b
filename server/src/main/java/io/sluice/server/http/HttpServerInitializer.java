package io.sluice.server.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;

/**
 * The HTTP pipeline: codec, body limit, content codings in, flow control, gzip out, pipelining
 * order, then routing. Everything a request can be refused for before its route (too large, an
 * unsupported or broken coding, a malformed head) travels as that request's decoder result, so
 * its answer keeps the connection's order.
 */
public final class HttpServerInitializer extends ChannelInitializer<SocketChannel> {
    /**
     * Requests the codec may have decoded past those in flight: once reading pauses, what the last
     * read brought (at most 64 KiB, Netty's largest receive buffer) is still decoded, and a request
     * takes 18 bytes at least. Past its limit the codec fails the connection.
     */
    private static final int DECODED_AHEAD = 65536 / 18 + 1;

    private final int maxBodyBytes;
    private final int maxPipelined;
    private final HttpDispatcher dispatcher;
    private final Router router;

    public HttpServerInitializer(int maxBodyBytes, int maxPipelined, Router router) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxPipelined = maxPipelined;
        this.router = router;
        this.dispatcher = new HttpDispatcher(router);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("codec", new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16 * 1024).setMaxChunkSize(64 * 1024), maxPipelined + DECODED_AHEAD));
        p.addLast("aggregator", new BoundedAggregator(maxBodyBytes));
        p.addLast("body", new RequestBodyDecoder(maxBodyBytes, router));
        // Holds requests already decoded while reading is paused (past maxPipelined in flight).
        p.addLast("flow", new FlowControlHandler());
        // After flow control: it remembers each request's Accept-Encoding until its answer, at
        // most 128 of them. Answers reach it in request order (pipelining is after it).
        p.addLast("compressor", new HttpContentCompressor());
        p.addLast("pipelining", new HttpPipelining(maxPipelined));
        p.addLast("dispatcher", dispatcher);
    }
}
