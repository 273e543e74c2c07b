package io.sluice.server.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.sluice.server.net.AddressLimit;
import io.sluice.server.net.ConnectionClock;
import io.sluice.storage.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;

/**
 * The HTTP pipeline: the connection caps, TLS when configured, the connection's deadlines, codec,
 * the checks a request's head decides (route, origin, token and scope, the body budget), body limit, content codings in, flow control, gzip out, pipelining order, then routing (with
 * the origin, token and scope checks). Everything a request can be refused for before its route
 * (too large, an unsupported or broken coding, a malformed head) travels as that request's decoder
 * result, so its answer keeps the connection's order.
 */
public final class HttpServerInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger log = LoggerFactory.getLogger(HttpServerInitializer.class);
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
    private final HttpGuard guard;
    private final RateLimitedLog refusals = new RateLimitedLog(log, 10_000);

    public HttpServerInitializer(int maxBodyBytes, int maxPipelined, Router router, HttpGuard guard) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxPipelined = maxPipelined;
        this.router = router;
        this.dispatcher = new HttpDispatcher(router, guard.access(), guard.origins());
        this.guard = guard;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!admit(ch)) {
            return;
        }
        ChannelPipeline p = ch.pipeline();
        if (guard.tls() != null) {
            p.addLast("tls", guard.tls().newHandler());
        }
        ConnectionClock clock = new ConnectionClock(guard.clock());
        p.addLast("clock-in", clock.bytesIn());
        p.addLast("codec", new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16 * 1024).setMaxChunkSize(64 * 1024), maxPipelined + DECODED_AHEAD));
        p.addLast("clock", clock);
        // Before any body is read: refuses on the head what its route would refuse, leases the body.
        p.addLast("gate", new RequestGate(router, guard, guard.bodies(), maxBodyBytes));
        p.addLast("aggregator", new BoundedAggregator(maxBodyBytes));
        p.addLast("body", new RequestBodyDecoder(maxBodyBytes, router, guard.bodies()));
        // Holds requests already decoded while reading is paused (past maxPipelined in flight).
        p.addLast("flow", new FlowControlHandler());
        // After flow control: it remembers each request's Accept-Encoding until its answer, at
        // most 128 of them. Answers reach it in request order (pipelining is after it).
        p.addLast("compressor", new HttpContentCompressor());
        p.addLast("pipelining", new HttpPipelining(maxPipelined));
        p.addLast("dispatcher", dispatcher);
    }

    /**
     * Counts the connection in, or closes it at once when {@code max_connections} or
     * {@code max_connections_per_ip} is reached: before TLS and before any buffer, so a flood of
     * connections costs a file descriptor for a moment and nothing else.
     */
    private boolean admit(SocketChannel ch) {
        InetAddress peer = ch.remoteAddress().getAddress();
        AddressLimit.Refusal refusal = guard.connections().admit(peer);
        if (refusal == null) {
            ch.closeFuture().addListener(f -> guard.connections().release(peer));
            return true;
        }
        boolean total = refusal == AddressLimit.Refusal.TOTAL;
        (total ? guard.refusedTotal() : guard.refusedPerIp()).inc();
        refusals.warn("connection refused [peer={}, limit={}]", peer.getHostAddress(),
                total ? "max_connections" : "max_connections_per_ip");
        ch.close();
        return false;
    }
}
