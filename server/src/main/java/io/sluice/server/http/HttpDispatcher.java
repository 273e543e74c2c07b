package io.sluice.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.sluice.server.auth.Access;
import io.sluice.server.auth.Origins;
import io.sluice.storage.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Routes each request to its handler; answers unknown paths 404, wrong methods 405 (with Allow),
 * requests the pipeline refused (malformed, too large, unsupported coding, over the body budget) with
 * their status, requests {@link RequestGate} refused on their head without their body, and
 * handler failures through {@link Failures}, all as JSON. The request is released by
 * {@link SimpleChannelInboundHandler} once {@code channelRead0} returns.
 *
 * <p>A client's mistake is never logged with a stack trace: malformed requests and clients that
 * hang up mid-request are each one rate-limited line with the peer and the reason.
 */
@ChannelHandler.Sharable
public final class HttpDispatcher extends SimpleChannelInboundHandler<HttpPipelining.Sequenced<FullHttpRequest>> {
    private static final Logger log = LoggerFactory.getLogger(HttpDispatcher.class);
    private final RateLimitedLog malformed = new RateLimitedLog(log, 10_000);
    private final RateLimitedLog hangUps = new RateLimitedLog(log, 10_000);

    private final Router router;
    private final Access access;
    private final Origins origins;

    public HttpDispatcher(Router router, Access access, Origins origins) {
        this.router = router;
        this.access = access;
        this.origins = origins;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpPipelining.Sequenced<FullHttpRequest> in) {
        FullHttpRequest req = in.message();
        if (req.decoderResult().isFailure()) {
            refused(ctx, in, req.decoderResult().cause());
            return;
        }
        QueryStringDecoder target = new QueryStringDecoder(req.uri());
        String path;
        try {
            path = originForm(target.path());
            target.parameters(); // decoded now, so a bad escape is the client's 400, not a handler's failure
        } catch (IllegalArgumentException e) {
            new Exchange(ctx, req, in.sequence(), noTarget(), Map.of()).error(HttpResponseStatus.BAD_REQUEST, "invalid",
                    "request target: " + e.getMessage());
            return;
        }
        Origins.Verdict origin = origins.judge(req);
        if (origin == Origins.Verdict.REFUSED || Origins.isPreflight(req)) {
            crossOrigin(ctx, in, origin);
            return;
        }
        Router.Match m = router.match(req.method(), path);
        Exchange ex = new Exchange(ctx, req, in.sequence(), target, m.params());
        if (origin == Origins.Verdict.ALLOWED) {
            Origins.corsHeaders(req, ex.headers());
        }
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
        // A request refused on its head comes without its body and with its refusal (RequestGate).
        Access.Decision d = req instanceof ScreenedRequest screened && screened.refusal() != null ? screened.refusal()
                : access.check(ctx.channel(), req, ex.queryParams(), m.scope(), isUpgrade(req));
        if (!d.allowed()) {
            refuse(ex, d);
            return;
        }
        ex.principal(d.principal());
        try {
            m.handler().handle(ex);
        } catch (Exception e) {
            Failures.answer(ex, e);
        }
    }

    /** Whether the request asks for a WebSocket (then {@code ?token=} counts as a credential). */
    static boolean isUpgrade(HttpRequest req) {
        return "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
    }

    /** For answering a request whose own target is not to be read. */
    private static QueryStringDecoder noTarget() {
        return new QueryStringDecoder("/");
    }

    /**
     * The path of an origin-form target ({@code /write}), or of an absolute-form one
     * ({@code http://host/write}, which a server must accept: RFC 9112 §3.2.2).
     *
     * @throws IllegalArgumentException for anything else ({@code *}, a bare word, nothing)
     */
    static String originForm(String path) {
        int scheme = path.startsWith("http://") ? 7 : path.startsWith("https://") ? 8 : -1;
        if (scheme > 0) {
            int slash = path.indexOf('/', scheme);
            return slash < 0 ? "/" : path.substring(slash);
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("'" + path + "' is not a path starting with '/'");
        }
        return path;
    }

    /**
     * A request whose page is on a site not in {@code cors_allowed_origins} is refused before
     * routing (README "Browsers"); an allowed origin's preflight is answered here, since no route
     * takes OPTIONS.
     */
    private void crossOrigin(ChannelHandlerContext ctx, HttpPipelining.Sequenced<FullHttpRequest> in, Origins.Verdict v) {
        FullHttpRequest req = in.message();
        Exchange ex = new Exchange(ctx, req, in.sequence(), noTarget(), Map.of());
        if (v == Origins.Verdict.ALLOWED || v == Origins.Verdict.SAME_ORIGIN) {
            Origins.preflightHeaders(req, ex.headers());
            ex.noContent();
            return;
        }
        access.originRefused(ctx.channel(), req);
        ex.error(HttpResponseStatus.FORBIDDEN, "forbidden", "requests from pages at " + req.headers().get(HttpHeaderNames.ORIGIN)
                + " are refused: add the origin to cors_allowed_origins to allow them");
    }

    /** 401 says how to authenticate (RFC 9110 section 11.6.1), 429 when to come back (RFC 6585). */
    private static void refuse(Exchange ex, Access.Decision d) {
        if (d.status().equals(HttpResponseStatus.UNAUTHORIZED)) {
            ex.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"sluice\", Token realm=\"sluice\"");
        } else if (d.retryAfterSeconds() > 0) {
            ex.header(HttpHeaderNames.RETRY_AFTER, d.retryAfterSeconds());
        }
        ex.error(d.status(), d.code(), d.message());
    }

    /** Answers a request the pipeline could not take, in its turn. */
    private void refused(ChannelHandlerContext ctx, HttpPipelining.Sequenced<FullHttpRequest> in, Throwable cause) {
        Exchange ex = new Exchange(ctx, in.message(), in.sequence(), noTarget(), Map.of());
        if (cause instanceof RefusedRequest r) {
            if (r.status().equals(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE)) {
                ex.header(HttpHeaderNames.ACCEPT_ENCODING, RequestBodyDecoder.SUPPORTED); // RFC 9110 §12.5.3
            }
            if (r.retryAfterSeconds() > 0) {
                ex.header(HttpHeaderNames.RETRY_AFTER, r.retryAfterSeconds()); // RFC 9110 §10.2.3
            }
            if (r.close()) {
                ex.errorAndClose(r.status(), r.code(), r.getMessage());
            } else {
                ex.error(r.status(), r.code(), r.getMessage());
            }
            return;
        }
        if (cause instanceof PrematureChannelClosureException) {
            hungUp(ctx, cause);
            return;
        }
        // The HTTP decoder reads nothing more from this connection: answer, then close.
        HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
        malformed.warn("malformed HTTP request, answered and closed [peer={}, status={}, reason={}]",
                ctx.channel().remoteAddress(), status.code(), cause.getMessage());
        ex.errorAndClose(status, "invalid", "malformed HTTP request: " + cause.getMessage());
    }

    private void hungUp(ChannelHandlerContext ctx, Throwable cause) {
        hangUps.warn("client connection closed mid-request [peer={}, reason={}]", ctx.channel().remoteAddress(),
                cause.getMessage());
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.pipeline().get(HttpPipelining.class) == null) {
            ctx.fireExceptionCaught(cause); // upgraded: the WebSocket handler after this one decides
        } else if (cause instanceof PrematureChannelClosureException || cause instanceof IOException) {
            hungUp(ctx, cause); // e.g. "Channel closed while still aggregating message", a reset
        } else if (cause instanceof io.netty.handler.codec.CodecException) {
            malformed.warn("unreadable HTTP stream, closed [peer={}, reason={}]", ctx.channel().remoteAddress(),
                    cause.getMessage());
            ctx.close();
        } else {
            log.warn("HTTP pipeline error, closing [peer={}]", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }
}
