package io.sluice.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Netty's aggregator, with a body over {@code max_body_bytes} passed on as a request refused 413
 * (its decoder result says why) instead of answered here: the answer then waits its turn behind
 * earlier pipelined requests. The rest of that body is discarded and the connection closes after
 * the answer. {@link RequestBodyDecoder} holds gzip bodies to the same limit once decoded.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final long limit;

    BoundedAggregator(int maxContentLength) {
        super(maxContentLength);
        this.limit = maxContentLength;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest req)) {
            ctx.close(); // a server only aggregates requests
            return;
        }
        FullHttpRequest refused = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
                Unpooled.EMPTY_BUFFER, req.headers().copy(), EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(tooLarge(limit, "")));
        ctx.fireChannelRead(refused);
    }

    static RefusedRequest tooLarge(long limit, String after) {
        return new RefusedRequest(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request too large",
                "request body exceeds max_body_bytes=" + limit + " bytes" + after, true);
    }
}
