package io.sluice.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.sluice.storage.metrics.Counter;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of one HTTP connection (README "Connections"), so a peer that holds a connection
 * without using it (slowloris) loses it:
 * <ul>
 *   <li>a request's headers must arrive within {@code http_header_timeout} of its first byte
 *       (of the connection's opening, for the first request; the TLS handshake counts);</li>
 *   <li>its body must then keep up an average of {@code http_body_min_rate} bytes a second,
 *       after a first {@code http_header_timeout} of grace (Apache's mod_reqtimeout works so);</li>
 *   <li>between requests a keep-alive connection may stay silent for {@code http_idle_timeout}.</li>
 * </ul>
 * While Sluice works on a request (it was read, its answer is not yet written) no deadline runs.
 * A late request is answered 408 and closed (RFC 9110 section 15.5.9); an idle connection is
 * closed. Each is counted in {@code sluice_http_connections_closed_total{reason}}.
 *
 * <p>It sits after the HTTP codec, to see requests begin and end and answers go out; its
 * {@link #bytesIn()} part sits before the codec, to see the first byte of a request arrive. After
 * a WebSocket upgrade (101) both leave the pipeline: a live connection has its own keep-alive.
 * One timer runs at a time and is moved only when a deadline comes earlier.
 */
public final class ConnectionClock extends ChannelDuplexHandler {
    private static final long NONE = Long.MAX_VALUE;

    private enum State { HEADERS, BODY, BUSY, IDLE }

    /** The limits and the counters of expiries, shared by every connection. */
    public record Settings(long headerNanos, long idleNanos, long bodyBytesPerSecond, Counter headerTimeouts,
                           Counter slowBodies, Counter idleTimeouts) {
    }

    private final Settings settings;
    private final ChannelInboundHandlerAdapter bytesIn = new BytesIn();
    private ChannelHandlerContext ctx;
    private State state = State.HEADERS;
    private long since;
    private long bodyBytes;
    private int inFlight;
    private boolean interim;
    private ScheduledFuture<?> timer;
    private long timerAt;

    public ConnectionClock(Settings settings) {
        this.settings = settings;
    }

    /** The part that goes before the HTTP codec (after TLS): it notes raw request bytes. */
    public ChannelInboundHandlerAdapter bytesIn() {
        return bytesIn;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        enter(State.HEADERS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            enter(State.BODY);
        }
        if (msg instanceof LastHttpContent) {
            inFlight++;
            enter(State.BUSY);
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse r) {
            if (r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                ctx.write(msg, promise);
                if (ctx.pipeline().context(bytesIn) != null) {
                    ctx.pipeline().remove(bytesIn);
                }
                ctx.pipeline().remove(this);
                return;
            }
            // 100 Continue and the like come before the request's end and are not its answer.
            interim = r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        }
        if (msg instanceof LastHttpContent && !interim && inFlight > 0 && --inFlight == 0) {
            enter(State.IDLE);
        }
        super.write(ctx, msg, promise);
    }

    private void enter(State s) {
        state = s;
        since = now();
        bodyBytes = 0;
        arm();
    }

    private long deadline() {
        return switch (state) {
            case HEADERS -> since + settings.headerNanos();
            case BODY -> settings.bodyBytesPerSecond() <= 0 ? NONE
                    : since + settings.headerNanos() + bodyBytes * 1_000_000_000L / settings.bodyBytesPerSecond();
            case BUSY -> NONE;
            case IDLE -> since + settings.idleNanos();
        };
    }

    /** Makes sure a timer fires no later than the current deadline. */
    private void arm() {
        long at = deadline();
        if (at == NONE || (timer != null && timerAt <= at)) {
            return;
        }
        cancel();
        timerAt = at;
        timer = ctx.executor().schedule(this::fire, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        long at = deadline();
        if (at == NONE || !ctx.channel().isActive()) {
            return;
        }
        if (now() < at) {
            arm();
            return;
        }
        switch (state) {
            case HEADERS -> expire(settings.headerTimeouts(), "the request's headers did not arrive within http_header_timeout");
            case BODY -> expire(settings.slowBodies(), "the request's body arrived slower than http_body_min_rate");
            default -> {
                settings.idleTimeouts().inc();
                ctx.close();
            }
        }
    }

    /** The event loop's clock (a test's EmbeddedChannel moves it by hand). */
    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private void expire(Counter counter, String why) {
        counter.inc();
        byte[] body = ("{\"code\":\"request timeout\",\"message\":\"" + why + "\",\"error\":\"" + why + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        state = State.BUSY; // no second expiry while this is written
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Before the codec: the first byte of a request starts its header deadline; body bytes move the body's. */
    private final class BytesIn extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) throws Exception {
            if (msg instanceof ByteBuf b && b.isReadable()) {
                if (state == State.IDLE) {
                    enter(State.HEADERS);
                } else if (state == State.BODY) {
                    bodyBytes += b.readableBytes();
                }
            }
            super.channelRead(c, msg);
        }
    }
}
