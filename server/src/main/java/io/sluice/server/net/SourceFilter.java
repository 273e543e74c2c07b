package io.sluice.server.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.sluice.storage.log.RateLimitedLog;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Drops what comes from outside a listener's allow list (README "UDP"): UDP datagrams, and
 * connections to a TCP listener that carries no token either (StatsD's). A source address is all
 * there is to go by. Each refusal is counted in {@code sluice_sources_refused_total{transport}}
 * and summarised in the log at most every ten seconds. It sits first in the pipeline of every
 * such listener, whatever the protocol.
 */
@ChannelHandler.Sharable
public final class SourceFilter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SourceFilter.class);

    private final AllowList allow;
    private final String transport;
    private final Counter refused;
    private final RateLimitedLog summary = new RateLimitedLog(log, 10_000);

    public SourceFilter(AllowList allow, String transport, Metrics metrics) {
        this.allow = allow;
        this.transport = transport;
        this.refused = metrics.counter("sluice_sources_refused_total",
                "UDP datagrams and TCP connections dropped because their source is not in the listener's allow list, by transport.",
                "transport", transport);
    }

    /** A TCP connection: closed at once when its peer is not allowed. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress peer && !allow.allows(peer.getAddress())) {
            refuse(peer.getAddress());
            ctx.close();
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket p && !allow.allows(p.sender().getAddress())) {
            p.release();
            refuse(p.sender().getAddress());
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(InetAddress source) {
        refused.inc();
        summary.warn("data from a source outside the allow list dropped (counted in sluice_sources_refused_total)"
                + " [transport={}, source={}, allowed={}]", transport, source.getHostAddress(), allow);
    }
}
