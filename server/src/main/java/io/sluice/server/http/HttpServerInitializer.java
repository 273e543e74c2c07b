package io.sluice.server.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpServerCodec;

/** The HTTP pipeline: codec, gzip in and out, body limit, then routing. */
public final class HttpServerInitializer extends ChannelInitializer<SocketChannel> {
    private final int maxBodyBytes;
    private final HttpDispatcher dispatcher;

    public HttpServerInitializer(int maxBodyBytes, Router router) {
        this.maxBodyBytes = maxBodyBytes;
        this.dispatcher = new HttpDispatcher(router);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("codec", new HttpServerCodec(8192, 16 * 1024, 64 * 1024));
        p.addLast("compressor", new HttpContentCompressor());
        p.addLast("decompressor", new HttpContentDecompressor(0));
        p.addLast("aggregator", new BoundedAggregator(maxBodyBytes));
        p.addLast("dispatcher", dispatcher);
    }
}
