package io.sluice.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Routes each aggregated request to its handler; answers unknown paths 404, wrong methods 405
 * (with Allow), malformed requests 400 and handler failures 500, all as JSON. The request is
 * released by {@link SimpleChannelInboundHandler} once {@code channelRead0} returns.
 */
@ChannelHandler.Sharable
public final class HttpDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpDispatcher.class);

    private final Router router;

    public HttpDispatcher(Router router) {
        this.router = router;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            Exchange ex = new Exchange(ctx, req, Map.of());
            ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", "malformed HTTP request: "
                    + req.decoderResult().cause().getMessage());
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        Router.Match m = router.match(req.method(), path);
        Exchange ex = new Exchange(ctx, req, m.params());
        if (!m.found()) {
            if (m.pathExists()) {
                String allow = m.allowed().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
                ex.header(HttpHeaderNames.ALLOW, allow);
                ex.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed",
                        req.method() + " is not allowed on " + path + "; allowed: " + allow, Map.of("allow", allow));
            } else {
                ex.error(HttpResponseStatus.NOT_FOUND, "not found", "no such path: " + path);
            }
            return;
        }
        try {
            m.handler().handle(ex);
        } catch (BadRequest e) {
            ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", e.getMessage());
        } catch (Exception e) {
            log.error("handler failed [method={}, path={}]", req.method(), path, e);
            ex.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", "internal error: " + e);
        }
        if (!ex.answered()) {
            // The answer comes later (after a commit): read no further requests from this
            // connection until it is sent, so answers keep their order.
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            // e.g. a body that claims gzip but is not.
            log.debug("bad request stream, closing [remote={}, error={}]", ctx.channel().remoteAddress(), cause.toString());
            Errors.sendAndClose(ctx, HttpResponseStatus.BAD_REQUEST, "invalid",
                    "could not decode the request: " + cause.getMessage());
        } else if (cause instanceof IOException) {
            ctx.close(); // peer reset; nothing to tell
        } else {
            log.warn("HTTP pipeline error, closing [remote={}]", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }
}
