package io.sluice.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.sluice.storage.query.SeriesScope;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * One live WebSocket connection. Control messages are JSON; every problem is answered with
 * {@code {"type":"error","field":...,"message":...}} and the connection stays usable.
 *
 * <p>Native protocol ({@code /v1/live}): {@code subscribe} with {@code id}, {@code metrics},
 * optional {@code tags} and {@code every}; {@code unsubscribe} with {@code id}. The training-run
 * stream accepts its document's {@code {"type":"subscribe","payload":{"run_id","metric_names"}}}.
 */
final class LiveSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    static final int MAX_SUBSCRIPTIONS = 100;
    static final int MAX_METRICS = 100;
    static final int MAX_MESSAGES_PER_SECOND = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LiveHub hub;
    private final Style style;
    private final Filter initial;
    private final String runId;
    private final SeriesScope scope;
    private Viewer viewer;
    private long windowStart;
    private int windowCount;
    private int idleIntervals; // reader-idle intervals in a row

    /**
     * @param initial a subscription made at connect (drop-in endpoints), or null
     * @param runId   the training run of a {@code /ws/metrics/{run_id}} connection, or null
     * @param scope   the series the viewer may see (its token's tenant)
     */
    LiveSocketHandler(LiveHub hub, SeriesScope scope, Style style, Filter initial, String runId) {
        this.scope = scope;
        this.hub = hub;
        this.style = style;
        this.initial = initial;
        this.runId = runId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        viewer = hub.open(ctx.channel(), scope);
        if (initial != null) {
            viewer.subscriptions.put("default", hub.join(ctx.channel(), style, initial));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        idleIntervals = 0;
        if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof PongWebSocketFrame) {
            return; // answer to our keep-alive ping; reading it resets the idle timer
        } else if (frame instanceof CloseWebSocketFrame) {
            ctx.writeAndFlush(frame.retainedDuplicate()).addListener(f -> ctx.close());
        } else if (frame instanceof BinaryWebSocketFrame) {
            error(null, null, "binary frames are not supported; send JSON text");
        } else if (frame instanceof TextWebSocketFrame text) {
            if (text.content().readableBytes() > MAX_MESSAGE_BYTES) {
                error(null, null, "message larger than " + MAX_MESSAGE_BYTES + " bytes");
            } else if (limited()) {
                error(null, null, "more than " + MAX_MESSAGES_PER_SECOND + " messages a second; slow down");
            } else {
                message(ctx, text.text());
            }
        }
    }

    private boolean limited() {
        long now = System.nanoTime();
        if (now - windowStart > 1_000_000_000L) {
            windowStart = now;
            windowCount = 0;
        }
        return ++windowCount > MAX_MESSAGES_PER_SECOND;
    }

    private void message(ChannelHandlerContext ctx, String text) {
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            error(null, null, "malformed JSON: " + (m.indexOf('\n') > 0 ? m.substring(0, m.indexOf('\n')) : m));
            return;
        }
        if (msg == null || !msg.isObject()) {
            error(null, null, "expected a JSON object");
            return;
        }
        String type = msg.path("type").asText(null);
        String id = msg.path("id").isTextual() ? msg.get("id").asText() : null;
        if (style == Style.TRAINING) {
            if ("subscribe".equals(type)) {
                trainingSubscribe(ctx, msg.path("payload"));
            } else {
                error(id, "type", "unknown type '" + type + "'; expected subscribe");
            }
            return;
        }
        if (style != Style.NATIVE) {
            error(id, "type", "this stream takes no messages");
            return;
        }
        switch (type == null ? "" : type) {
            case "subscribe" -> subscribe(ctx, id, msg);
            case "unsubscribe" -> unsubscribe(ctx, id);
            default -> error(id, "type", type == null ? "missing type; expected subscribe or unsubscribe"
                    : "unknown type '" + type + "'; expected subscribe or unsubscribe");
        }
    }

    private void subscribe(ChannelHandlerContext ctx, String id, JsonNode msg) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            error(null, "id", "required: a string of 1 to 100 characters naming the subscription");
            return;
        }
        Set<String> metrics = strings(msg.get("metrics"));
        if (metrics == null || metrics.isEmpty()) {
            error(id, "metrics", "required: a non-empty array of metric names");
            return;
        }
        if (metrics.size() > MAX_METRICS) {
            error(id, "metrics", "at most " + MAX_METRICS + " metrics per subscription");
            return;
        }
        Map<String, String> tags = new HashMap<>();
        JsonNode t = msg.get("tags");
        if (t != null && !t.isNull()) {
            if (!t.isObject()) {
                error(id, "tags", "must be an object of tag names to values");
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    error(id, "tags." + e.getKey(), "must be a string");
                    return;
                }
                tags.put(e.getKey(), e.getValue().asText());
            }
        }
        int every = 1;
        JsonNode ev = msg.get("every");
        if (ev != null && !ev.isNull()) {
            if (!ev.canConvertToInt() || !ev.isIntegralNumber() || ev.asInt() < 1) {
                error(id, "every", "must be a whole number of at least 1 (1 = every sample)");
                return;
            }
            every = ev.asInt();
        }
        Group old = viewer.subscriptions.get(id);
        if (old == null && viewer.subscriptions.size() >= MAX_SUBSCRIPTIONS) {
            error(id, "id", "at most " + MAX_SUBSCRIPTIONS + " subscriptions per connection");
            return;
        }
        Group g = hub.join(ctx.channel(), Style.NATIVE, new Filter(metrics, tags, every));
        viewer.subscriptions.put(id, g);
        if (old != null && old != g && !viewer.subscriptions.containsValue(old)) {
            hub.leave(ctx.channel(), old);
        }
        ObjectNode ack = JSON.createObjectNode().put("type", "subscribed").put("id", id).put("subscription", g.id);
        viewer.text(ack.toString());
    }

    private void unsubscribe(ChannelHandlerContext ctx, String id) {
        if (id == null) {
            error(null, "id", "required: the id given when subscribing");
            return;
        }
        Group g = viewer.subscriptions.remove(id);
        if (g == null) {
            error(id, "id", "no subscription with this id");
            return;
        }
        if (!viewer.subscriptions.containsValue(g)) {
            hub.leave(ctx.channel(), g);
        }
        viewer.text(JSON.createObjectNode().put("type", "unsubscribed").put("id", id).toString());
    }

    private void trainingSubscribe(ChannelHandlerContext ctx, JsonNode payload) {
        String run = payload.path("run_id").asText(runId);
        if (run == null || run.isEmpty()) {
            error(null, "payload.run_id", "required");
            return;
        }
        Set<String> names = payload.has("metric_names") ? strings(payload.get("metric_names")) : Set.of();
        if (names == null) {
            error(null, "payload.metric_names", "must be an array of metric names");
            return;
        }
        if (names.size() > MAX_METRICS) {
            error(null, "payload.metric_names", "at most " + MAX_METRICS + " metric names");
            return;
        }
        Group old = viewer.subscriptions.remove("default");
        Group g = hub.join(ctx.channel(), Style.TRAINING, new Filter(names, Map.of("run_id", run), 1));
        viewer.subscriptions.put("default", g);
        if (old != null && old != g) {
            hub.leave(ctx.channel(), old);
        }
        viewer.text(JSON.createObjectNode().put("type", "subscribed")
                .set("payload", JSON.createObjectNode().put("run_id", run)
                        .set("metric_names", JSON.valueToTree(names))).toString());
    }

    private static Set<String> strings(JsonNode n) {
        if (n == null || !n.isArray()) {
            return null;
        }
        Set<String> out = new HashSet<>();
        for (JsonNode e : n) {
            if (!e.isTextual() || e.asText().isEmpty()) {
                return null;
            }
            out.add(e.asText());
        }
        return out;
    }

    private void error(String id, String field, String message) {
        hub.counters.protocolErrors.inc();
        ObjectNode e = JSON.createObjectNode().put("type", "error");
        if (id != null) {
            e.put("id", id);
        }
        e.put("field", field);
        e.put("message", message);
        viewer.text(e.toString());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            viewer.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            if (++idleIntervals >= 3) {
                ctx.close(); // pinged twice, no pong, no message: the peer is gone
            } else {
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            // The peer broke the protocol (bad UTF-8, RSV bits, unmasked or oversized frame): the
            // decoder has sent the close frame with its status and closes once it is written.
            hub.counters.protocolErrors.inc();
            return;
        }
        ctx.close();
    }
}
