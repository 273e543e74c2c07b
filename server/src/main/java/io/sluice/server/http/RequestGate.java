package io.sluice.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.sluice.server.auth.Access;
import io.sluice.server.auth.Origins;

/**
 * Decides on a request's head, before any of its body is read, whether the body may be read at
 * all (README "Connections"). A request its route would refuse whatever its body (no such route
 * or method, a refused origin, credentials without the route's scope) goes on without its body,
 * as a {@link ScreenedRequest} the dispatcher answers in turn, and the connection closes after
 * that answer; the body is dropped as it arrives and no {@code 100 Continue} invites it. A
 * request that may go on leases its body's bytes from the {@link BodyBudget}, or is refused 503.
 *
 * <p>Sits between the codec and the aggregator. Requests without a body pass untouched (their
 * answers keep the connection open, as before); so do heads the codec already failed. Rate limits
 * are not checked here: they are the dispatcher's, once per request.
 */
final class RequestGate extends ChannelInboundHandlerAdapter {
    /** The lease of the body about to be aggregated, for {@link BoundedAggregator} to take over. */
    static final AttributeKey<BodyBudget.Lease> LEASE = AttributeKey.valueOf("sluice.bodyLease");
    /** Marks a refusal routing answers: an allowed decision, which the dispatcher never sees. */
    private static final Access.Decision ROUTING = new Access.Decision(null, null, null, null, 0);

    private final Router router;
    private final Access access;
    private final Origins origins;
    private final BodyBudget budget;
    private final long maxBodyBytes;
    /** Dropping the body of a refused request, until its last content. */
    private boolean dropping;
    /** The lease of a chunked body passing through, grown by each chunk. */
    private BodyBudget.Lease growing;

    RequestGate(Router router, HttpGuard guard, BodyBudget budget, long maxBodyBytes) {
        this.router = router;
        this.access = guard.access();
        this.origins = guard.origins();
        this.budget = budget;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest head) {
            dropping = false;
            growing = null;
            head(ctx, head);
        } else if (msg instanceof HttpContent c) {
            content(ctx, c);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void head(ChannelHandlerContext ctx, HttpRequest head) {
        if (head.decoderResult().isFailure()) {
            ctx.fireChannelRead(head); // answered 400 and closed: the codec reads no body of it
            return;
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(head);
        long length = HttpUtil.getContentLength(head, 0L);
        if ((!chunked && length == 0) || length > maxBodyBytes) {
            ctx.fireChannelRead(head); // the aggregator refuses an announced body over max_body_bytes itself
            return;
        }
        Access.Decision refusal = screen(ctx, head);
        if (refusal != null) {
            dropping = true;
            ctx.fireChannelRead(new ScreenedRequest(head, refusal.allowed() ? null : refusal));
            return;
        }
        BodyBudget.Lease lease = budget.lease(chunked ? 0 : length, ctx.channel().remoteAddress());
        if (lease == null) {
            dropping = true;
            ScreenedRequest refused = new ScreenedRequest(head, null);
            refused.setDecoderResult(DecoderResult.failure(budget.refusal()));
            ctx.fireChannelRead(refused);
            return;
        }
        ctx.channel().attr(LEASE).set(lease);
        ctx.fireChannelRead(head);
        if (ctx.channel().attr(LEASE).getAndSet(null) != null) {
            lease.close(); // not aggregated (an expectation refused): nothing is held
        } else if (chunked) {
            growing = lease;
        }
    }

    /**
     * What the dispatcher would refuse this request for, in its order (target, origin, route,
     * credentials): null when it goes on to its route; {@link #ROUTING} when routing refuses it
     * (the dispatcher finds why again, at no cost); else the credentials' refusal, counted here.
     */
    private Access.Decision screen(ChannelHandlerContext ctx, HttpRequest head) {
        QueryStringDecoder target = new QueryStringDecoder(head.uri());
        String path;
        try {
            path = HttpDispatcher.originForm(target.path());
            target.parameters();
        } catch (IllegalArgumentException e) {
            return ROUTING;
        }
        Origins.Verdict origin = origins.judge(head);
        if (origin == Origins.Verdict.REFUSED || Origins.isPreflight(head)) {
            return ROUTING;
        }
        Router.Match m = router.match(head.method(), path);
        if (!m.found()) {
            return ROUTING;
        }
        Access.Decision d = access.identify(ctx.channel(), head, target.parameters(), m.scope(),
                HttpDispatcher.isUpgrade(head));
        return d.allowed() ? null : d;
    }

    private void content(ChannelHandlerContext ctx, HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        if (dropping) {
            c.release();
            dropping = !last;
            return;
        }
        if (growing != null && !growing.grow(c.content().readableBytes(), ctx.channel().remoteAddress())) {
            // Over the budget mid-body: end the aggregation with the refusal, drop the rest.
            c.release();
            growing = null;
            dropping = !last;
            LastHttpContent end = new DefaultLastHttpContent();
            end.setDecoderResult(DecoderResult.failure(budget.refusal()));
            ctx.fireChannelRead(end);
            return;
        }
        if (last) {
            growing = null;
        }
        ctx.fireChannelRead(c);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (dropping && !ctx.channel().config().isAutoRead()) {
            ctx.read(); // as the aggregator does for a body: what is dropped must still be read
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        BodyBudget.Lease pending = ctx.channel().attr(LEASE).getAndSet(null);
        if (pending != null) {
            pending.close();
        }
    }
}
