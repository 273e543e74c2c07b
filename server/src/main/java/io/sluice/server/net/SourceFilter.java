package io.sluice.server.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;

/**
 * Drops datagrams whose sender is outside a listener's allow list (README "UDP"): UDP carries no
 * token, so its source address is all there is to go by. Dropped datagrams are counted in
 * {@code sluice_udp_datagrams_refused_total{transport}} and summarised in the log at most every
 * ten seconds. It sits first in every UDP listener's pipeline, whatever the protocol.
 */
@ChannelHandler.Sharable
public final class SourceFilter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SourceFilter.class);
    private static final long SUMMARY_NANOS = 10_000_000_000L;

    private final AllowList allow;
    private final String transport;
    private final Counter refused;
    private volatile long lastSummaryNanos = System.nanoTime() - SUMMARY_NANOS;

    public SourceFilter(AllowList allow, String transport, Metrics metrics) {
        this.allow = allow;
        this.transport = transport;
        this.refused = metrics.counter("sluice_udp_datagrams_refused_total",
                "UDP datagrams dropped because their source is not in the listener's allow list, by transport.",
                "transport", transport);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket p && !allow.allows(p.sender().getAddress())) {
            p.release();
            refused.inc();
            summarise(p.sender().getAddress());
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void summarise(InetAddress source) {
        long now = System.nanoTime();
        if (now - lastSummaryNanos > SUMMARY_NANOS) {
            lastSummaryNanos = now;
            log.warn("UDP datagrams from sources outside the allow list dropped (counted in"
                            + " sluice_udp_datagrams_refused_total) [transport={}, latest={}, allowed={}, refusedSoFar={}]",
                    transport, source.getHostAddress(), allow, refused.get());
        }
    }
}
