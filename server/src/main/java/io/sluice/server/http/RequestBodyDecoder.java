package io.sluice.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Content codings of request bodies (RFC 9110 §8.4): {@code gzip} (and its alias {@code x-gzip},
 * §8.4.1.3) is decoded, {@code identity} passes; any other coding is refused 415 naming the
 * supported ones (§15.5.16), never read as plain text. A body is decoded whole before anything
 * reads it, so a truncated or corrupt gzip body is refused 400 and nothing of it is stored; a
 * decoded body over {@code max_body_bytes} is refused 413.
 *
 * <p>A route may decode a coding its protocol defines itself ({@link Router#ownCoding}: remote
 * write's snappy); such a body passes as sent. Elsewhere that coding is refused like any other.
 */
final class RequestBodyDecoder extends MessageToMessageDecoder<FullHttpRequest> {
    static final String SUPPORTED = "gzip, identity";

    private final int maxBytes;
    private final Router router;

    RequestBodyDecoder(int maxBytes, Router router) {
        this.maxBytes = maxBytes;
        this.router = router;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, FullHttpRequest req, List<Object> out) {
        String coding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (req.decoderResult().isFailure() || coding == null) {
            out.add(req.retain());
            return;
        }
        String only = coding.trim().toLowerCase(Locale.ROOT);
        if (router.decodesItself(new QueryStringDecoder(req.uri()).path(), only)) {
            out.add(req.retain()); // the route's protocol defines this coding and bounds its decoding
            return;
        }
        boolean gzip = false;
        for (String c : coding.split(",")) {
            String t = c.trim().toLowerCase(Locale.ROOT);
            if (t.equals("gzip") || t.equals("x-gzip")) {
                if (gzip) {
                    out.add(refused(req, unsupported(coding)));
                    return;
                }
                gzip = true;
            } else if (!t.isEmpty() && !t.equals("identity")) {
                out.add(refused(req, unsupported(coding)));
                return;
            }
        }
        out.add(gzip ? gunzip(ctx, req) : req.retain());
    }

    private FullHttpRequest gunzip(ChannelHandlerContext ctx, FullHttpRequest req) {
        ByteBuf decoded = ctx.alloc().buffer(Math.min(maxBytes, Math.max(256, req.content().readableBytes() * 4)));
        try (InputStream in = new GZIPInputStream(new ByteBufInputStream(req.content().duplicate()), 8192)) {
            while (true) {
                decoded.ensureWritable(8192);
                if (decoded.writeBytes(in, 8192) < 0) {
                    break;
                }
                if (decoded.readableBytes() > maxBytes) {
                    decoded.release();
                    return refused(req, BoundedAggregator.tooLarge(maxBytes, " after gzip decoding"));
                }
            }
        } catch (IOException e) {
            decoded.release();
            String why = e instanceof java.io.EOFException ? "it ends before the gzip stream does (truncated)"
                    : String.valueOf(e.getMessage());
            return refused(req, new RefusedRequest(HttpResponseStatus.BAD_REQUEST, "invalid",
                    "body: not valid gzip: " + why + "; nothing of it was stored", false));
        }
        FullHttpRequest r = req.replace(decoded);
        r.headers().remove(HttpHeaderNames.CONTENT_ENCODING);
        HttpUtil.setContentLength(r, decoded.readableBytes());
        return r;
    }

    private static RefusedRequest unsupported(String coding) {
        return new RefusedRequest(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported media type",
                "Content-Encoding '" + coding + "' is not supported; send one of: " + SUPPORTED, false);
    }

    /** The request without its body, marked with why it is refused. */
    private static FullHttpRequest refused(FullHttpRequest req, RefusedRequest why) {
        FullHttpRequest r = req.replace(Unpooled.EMPTY_BUFFER);
        r.setDecoderResult(DecoderResult.failure(why));
        return r;
    }
}
