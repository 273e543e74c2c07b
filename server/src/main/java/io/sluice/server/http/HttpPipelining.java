package io.sluice.server.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCounted;

import java.nio.channels.ClosedChannelException;
import java.util.PriorityQueue;

/**
 * HTTP/1.1 pipelining (RFC 9112 §9.3.2: a server answers pipelined requests in the order they
 * were received): each request gets a sequence number on its way in, and each answer waits here
 * until every earlier one has been written, whichever thread finishes first (a write answered
 * after its commit, a query from a worker).
 *
 * <p>At most {@code maxInFlight} requests of one connection are being handled at once; past that,
 * the connection stops reading until an answer goes out (the {@code FlowControlHandler} in front
 * holds what was already decoded). A WebSocket upgrade waits until every earlier answer is out,
 * so the 101 never overtakes them; once it is written this handler leaves the pipeline.
 */
final class HttpPipelining extends ChannelDuplexHandler {
    /**
     * A request, or its answer, with its place in the connection's order; releasing it releases
     * the message it carries.
     */
    record Sequenced<T extends ReferenceCounted>(T message, int sequence) implements ReferenceCounted {
        @Override
        public int refCnt() {
            return message.refCnt();
        }

        @Override
        public Sequenced<T> retain() {
            message.retain();
            return this;
        }

        @Override
        public Sequenced<T> retain(int increment) {
            message.retain(increment);
            return this;
        }

        @Override
        public Sequenced<T> touch() {
            message.touch();
            return this;
        }

        @Override
        public Sequenced<T> touch(Object hint) {
            message.touch(hint);
            return this;
        }

        @Override
        public boolean release() {
            return message.release();
        }

        @Override
        public boolean release(int decrement) {
            return message.release(decrement);
        }
    }

    private record Held(Sequenced<?> response, ChannelPromise promise) {
    }

    private final int maxInFlight;
    private final PriorityQueue<Held> held = new PriorityQueue<>((a, b) -> Integer.compare(
            a.response.sequence(), b.response.sequence()));
    /** The sequence the next request gets, and the one whose answer goes out next. */
    private int nextIn;
    private int nextOut;
    /** An upgrade request waiting for the answers before it. */
    private Sequenced<FullHttpRequest> upgrade;
    private boolean paused;

    HttpPipelining(int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
    }

    private int inFlight() {
        return nextIn - nextOut;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Sequenced<FullHttpRequest> r = new Sequenced<>(req, nextIn++);
        if (inFlight() >= maxInFlight) {
            pause(ctx);
        }
        if (inFlight() > 1 && req.headers().contains(HttpHeaderNames.UPGRADE)) {
            // Nothing more is read until it has gone through (the flow control handler in front
            // holds what was already decoded), so at most one upgrade waits.
            upgrade = r;
            pause(ctx);
            return;
        }
        ctx.fireChannelRead(r);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Sequenced<?> r) {
            if (r.sequence() != nextOut) {
                held.add(new Held(r, promise));
                return;
            }
            writeInOrder(ctx, r, promise);
            while (!held.isEmpty() && held.peek().response.sequence() == nextOut) {
                Held h = held.poll();
                writeInOrder(ctx, h.response, h.promise);
            }
            afterAnswers(ctx);
        } else if (msg instanceof HttpResponse r && r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            // The handshake's 101 (written by Netty's handshaker, not through an Exchange): the
            // upgrade request's answer. The connection speaks another protocol from here on.
            nextOut++;
            ctx.write(msg, promise);
            ctx.pipeline().remove(this);
            if (paused) {
                paused = false;
                ctx.channel().config().setAutoRead(true);
            }
        } else {
            ctx.write(msg, promise);
        }
    }

    private void writeInOrder(ChannelHandlerContext ctx, Sequenced<?> r, ChannelPromise promise) {
        nextOut++;
        ctx.write(r.message(), promise);
    }

    /** Lets a deferred upgrade through, and reading resume, once enough answers are out. */
    private void afterAnswers(ChannelHandlerContext ctx) {
        ctx.flush();
        if (upgrade != null && upgrade.sequence() == nextOut) {
            Sequenced<FullHttpRequest> u = upgrade;
            upgrade = null;
            // Not from inside this write: the upgrade's handshake writes and changes the pipeline.
            ctx.executor().execute(() -> {
                if (ctx.channel().isActive()) {
                    ctx.fireChannelRead(u);
                } else {
                    u.release();
                }
            });
            return;
        }
        if (paused && upgrade == null && inFlight() < maxInFlight) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void pause(ChannelHandlerContext ctx) {
        if (!paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        discard();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discard();
    }

    /** The connection is gone (or upgraded): answers still waiting will never be written. */
    private void discard() {
        Held h;
        while ((h = held.poll()) != null) {
            h.response.release();
            if (!h.promise.isVoid()) {
                h.promise.tryFailure(new ClosedChannelException());
            }
        }
        if (upgrade != null) {
            upgrade.release();
            upgrade = null;
        }
    }
}
