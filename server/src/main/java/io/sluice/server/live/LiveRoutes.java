package io.sluice.server.live;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.codec.Uuids;
import io.sluice.codec.json.JsonSampleParser;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Router;
import io.sluice.server.net.AddressLimit;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import java.util.Map;
import java.util.Set;

/**
 * The WebSocket endpoints (README, "Watch it live" and "Drop-in APIs"): {@code /v1/live} (native), {@code /ws} (API
 * performance events), {@code /ws/metrics/{x}} (a training run when x is a UUID, else a dashboard
 * metric), {@code /api/v1/stream} (fleet monitor).
 */
public final class LiveRoutes {
    /** Frames above this close the connection (a protocol violation); above 64 KiB get an error. */
    static final int MAX_FRAME_BYTES = 1 << 20;

    /**
     * No extension is ever negotiated, so a frame with an RSV bit set is a protocol error (RFC 6455
     * §5.2): the decoder closes with 1002, as it does for an unmasked client frame (§5.1). Frames
     * over {@link #MAX_FRAME_BYTES} close with 1009.
     */
    private static final WebSocketDecoderConfig DECODER = WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(MAX_FRAME_BYTES).allowExtensions(false).expectMaskedFrames(true)
            .closeOnProtocolViolation(true).build();

    private final LiveHub hub;
    private final int idleSeconds;
    private final AddressLimit viewers;
    private final Counter refused;

    /** @param viewers viewers open per address, capped by {@code live_max_viewers_per_ip} */
    public LiveRoutes(LiveHub hub, int idleSeconds, AddressLimit viewers, Metrics metrics) {
        this.hub = hub;
        this.idleSeconds = idleSeconds;
        this.viewers = viewers;
        this.refused = metrics.counter("sluice_live_viewers_refused_total",
                "WebSocket upgrades answered 429 because their address has live_max_viewers_per_ip viewers open.");
    }

    public void register(Router router) {
        router.get("/v1/live", Scope.READ, ex -> upgrade(ex, new LiveSocketHandler(hub, ex.scope(), Style.NATIVE, null, null)));
        router.get("/ws", Scope.READ, ex -> upgrade(ex, new LiveSocketHandler(hub, ex.scope(), Style.API_PERF,
                new Filter(Set.of(JsonSampleParser.API_METRIC), Map.of(), 1), null)));
        router.get("/ws/metrics/{x}", Scope.READ, ex -> {
            String x = ex.pathParam("x");
            if (Uuids.isCanonical(x)) {
                upgrade(ex, new LiveSocketHandler(hub, ex.scope(), Style.TRAINING,
                        new Filter(Set.of(), Map.of("run_id", x), 1), x));
            } else {
                String host = ex.query("host");
                upgrade(ex, new LiveSocketHandler(hub, ex.scope(), Style.DASHBOARD,
                        new Filter(Set.of(x), host == null ? Map.of() : Map.of("host", host), 1), null));
            }
        });
        router.get("/api/v1/stream", Scope.READ, ex -> {
            Map<String, String> tags = new java.util.HashMap<>();
            String serverId = ex.query("server_id");
            if (serverId != null) {
                // As the other fleet routes: an id that is not one would silently stream nothing.
                if (!Uuids.isCanonical(serverId)) {
                    throw new BadRequest("server_id: not a UUID (8-4-4-4-12 hex digits)");
                }
                tags.put("server_id", serverId);
            }
            if (ex.query("metric_type") != null) {
                tags.put("metric_type", ex.query("metric_type"));
            }
            // Only fleet samples (tagged server_id and metric_type), never the whole store.
            upgrade(ex, new LiveSocketHandler(hub, ex.scope(), Style.FLEET,
                    new Filter(Set.of(), tags, Set.of("server_id", "metric_type"), 1), null));
        });
    }

    private void upgrade(Exchange ex, LiveSocketHandler handler) {
        FullHttpRequest req = ex.request();
        OpeningHandshake.Refusal refusal = OpeningHandshake.check(req);
        if (refusal != null) {
            if (refusal.status() == HttpResponseStatus.UPGRADE_REQUIRED) {
                ex.header("Sec-WebSocket-Version", OpeningHandshake.VERSION);
            }
            ex.error(refusal.status(), refusal.status() == HttpResponseStatus.BAD_REQUEST ? "invalid" : "upgrade required",
                    refusal.message());
            return;
        }
        var ch = ex.ctx().channel();
        InetAddress peer = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (peer != null && viewers.admit(peer) != null) {
            refused.inc();
            ex.header(HttpHeaderNames.RETRY_AFTER, 10);
            ex.error(HttpResponseStatus.TOO_MANY_REQUESTS, "too many requests", "this address already has "
                    + viewers.of(peer) + " live viewers open (live_max_viewers_per_ip)");
            return;
        }
        if (peer != null) {
            ch.closeFuture().addListener(f -> viewers.release(peer));
        }
        String url = "ws://" + req.headers().get("Host", "localhost") + req.uri();
        WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(url, null, DECODER).newHandshaker(req);
        ex.upgraded();
        // Outbound bytes per viewer are bounded here; past the high mark the viewer queues, then drops.
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
        // Added before the handshake: anything the fan-out sends is queued on this event loop
        // behind the handshake response, which handshake() writes now.
        ChannelPipeline p = ch.pipeline();
        // Text must be UTF-8 (RFC 6455 §8.1): checked across fragments, before they are joined;
        // invalid bytes close the connection with 1007 (§7.4.1).
        p.addLast("ws-utf8", new Utf8FrameValidator(true));
        p.addLast("ws-aggregator", new WebSocketFrameAggregator(MAX_FRAME_BYTES));
        // Reader idleness only: watching writes would wrap every frame's promise in a listener
        // (JFR: a fifth of the event loops' time with 10,000 viewers). A peer silent for an
        // interval is pinged; silent for three, it is closed.
        p.addLast("ws-idle", new IdleStateHandler(idleSeconds, 0, 0));
        p.addLast("ws-live", handler);
        hs.handshake(ch, req).addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
            }
        });
    }
}
