package io.sluice.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Netty's aggregator, with a body over {@code max_body_bytes} passed on as a request refused 413
 * (its decoder result says why) instead of answered here: the answer then waits its turn behind
 * earlier pipelined requests. The rest of that body is discarded and the connection closes after
 * the answer. {@link RequestBodyDecoder} holds gzip bodies to the same limit once decoded.
 *
 * <p>{@code Expect} (RFC 9110 §10.1.1) likewise: Netty would write its 413 to a
 * {@code 100-continue} announcing too large a body, and its 417 to any other expectation, at
 * once, ahead of the answers still owed to earlier requests, and then keep the connection
 * open although the client may or may not send the body it announced. Here both are refused
 * requests answered in their turn, and the connection closes after them (lingering, so a body
 * sent anyway does not turn into a reset). Only an acceptable {@code 100-continue} is answered
 * by Netty: {@code 100 Continue}, an interim response.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final long limit;

    BoundedAggregator(int maxContentLength) {
        super(maxContentLength);
        this.limit = maxContentLength;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        // A refusal goes through handleOversizedMessage (isContentLengthInvalid below), in order.
        return isContentLengthInvalid(start, maxContentLength) ? null : super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected boolean isContentLengthInvalid(HttpMessage start, int maxContentLength) {
        return unsupportedExpectation(start) || super.isContentLengthInvalid(start, maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest req)) {
            ctx.close(); // a server only aggregates requests
            return;
        }
        FullHttpRequest refused = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
                Unpooled.EMPTY_BUFFER, req.headers().copy(), EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(unsupportedExpectation(req)
                ? expectationFailed(req.headers().get(HttpHeaderNames.EXPECT)) : tooLarge(limit, "")));
        ctx.fireChannelRead(refused);
    }

    /** An {@code Expect} other than {@code 100-continue}, which HTTP/1.0 has not (RFC 9110 §10.1.1). */
    private static boolean unsupportedExpectation(HttpMessage m) {
        String expect = m.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && m instanceof HttpRequest && m.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }

    /**
     * Puts the body the {@link RequestGate} leased into a buffer that returns the lease when it is
     * released: by the dispatcher once answered, or by this aggregator when the connection closes
     * or the body turns out too large.
     */
    @Override
    protected FullHttpMessage beginAggregation(HttpMessage start, ByteBuf content) throws Exception {
        BodyBudget.Lease lease = ctx().channel().attr(RequestGate.LEASE).getAndSet(null);
        if (lease == null) {
            return super.beginAggregation(start, content);
        }
        LeasedContent leased = new LeasedContent(ctx().alloc(), maxCumulationBufferComponents(), lease);
        leased.addComponent(true, content);
        return super.beginAggregation(start, leased);
    }

    static RefusedRequest tooLarge(long limit, String after) {
        return new RefusedRequest(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request too large",
                "request body exceeds max_body_bytes=" + limit + " bytes" + after, true);
    }

    private static RefusedRequest expectationFailed(String expect) {
        return new RefusedRequest(HttpResponseStatus.EXPECTATION_FAILED, "expectation failed",
                "Expect: " + expect + " cannot be met; the only expectation Sluice knows is 100-continue", true);
    }
}
