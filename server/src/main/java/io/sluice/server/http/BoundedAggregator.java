package io.sluice.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Netty's aggregator with the body limit answered as a JSON 413 naming the limit. It sits after
 * the gzip decoder, so the limit holds for the decoded body and a gzip bomb stops at it.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final long limit;

    BoundedAggregator(int maxContentLength) {
        super(maxContentLength);
        this.limit = maxContentLength;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        Errors.sendAndClose(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request too large",
                "request body exceeds max_body_bytes=" + limit + " bytes (after decompression)");
    }
}
