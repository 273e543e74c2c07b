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
import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Content codings of request bodies (RFC 9110 §8.4): {@code gzip} (and its alias {@code x-gzip},
 * §8.4.1.3) is decoded, {@code identity} passes; any other coding is refused 415 naming the
 * supported ones (§15.5.16), never read as plain text. A body is decoded whole before anything
 * reads it, so a truncated or corrupt gzip body is refused 400 and nothing of it is stored; a
 * decoded body over {@code max_body_bytes} is refused 413. The decoded bytes are leased from the
 * {@link BodyBudget} as the buffer grows, before it grows, and given back when the decoded body
 * is freed: a small gzip body that decodes large takes its decoded size, and is refused 503
 * with Retry-After where that would pass {@code http_body_budget}.
 *
 * <p>A route may decode a coding its protocol defines itself ({@link Router#ownCoding}: remote
 * write's snappy); such a body passes as sent. Elsewhere that coding is refused like any other.
 */
final class RequestBodyDecoder extends MessageToMessageDecoder<FullHttpRequest> {
    static final String SUPPORTED = "gzip, identity";

    /** Bytes inflated at a time. */
    private static final int STEP = 8192;

    private final int maxBytes;
    private final Router router;
    private final BodyBudget budget;

    RequestBodyDecoder(int maxBytes, Router router, BodyBudget budget) {
        this.maxBytes = maxBytes;
        this.router = router;
        this.budget = budget;
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
        SocketAddress peer = ctx.channel().remoteAddress();
        int initial = Math.min(maxBytes, Math.max(256, req.content().readableBytes() * 4));
        BodyBudget.Lease lease = budget.lease(initial, peer);
        if (lease == null) {
            return refused(req, budget.refusal());
        }
        // Never more than max_body_bytes and one step: the check below refuses past it.
        ByteBuf decoded = ctx.alloc().buffer(initial, maxBytes + STEP);
        long leased = initial;
        boolean kept = false;
        try (InputStream in = new GZIPInputStream(new ByteBufInputStream(req.content().duplicate()), STEP)) {
            while (true) {
                int target = decoded.writerIndex() + STEP;
                if (target > decoded.capacity()) {
                    // Lease the larger buffer before it is allocated.
                    long grown = ctx.alloc().calculateNewCapacity(target, decoded.maxCapacity());
                    if (grown > leased && !lease.grow(grown - leased, peer)) {
                        return refused(req, budget.refusal());
                    }
                    leased = Math.max(leased, grown);
                }
                decoded.ensureWritable(STEP);
                if (decoded.capacity() > leased) { // a pooled buffer may take the rest of its chunk
                    if (!lease.grow(decoded.capacity() - leased, peer)) {
                        return refused(req, budget.refusal());
                    }
                    leased = decoded.capacity();
                }
                if (decoded.writeBytes(in, STEP) < 0) {
                    break;
                }
                if (decoded.readableBytes() > maxBytes) {
                    return refused(req, BoundedAggregator.tooLarge(maxBytes, " after gzip decoding"));
                }
            }
            LeasedContent body = new LeasedContent(ctx.alloc(), 2, lease);
            body.addComponent(true, decoded);
            kept = true;
            FullHttpRequest r = req.replace(body);
            r.headers().remove(HttpHeaderNames.CONTENT_ENCODING);
            HttpUtil.setContentLength(r, body.readableBytes());
            return r;
        } catch (IOException e) {
            String why = e instanceof java.io.EOFException ? "it ends before the gzip stream does (truncated)"
                    : String.valueOf(e.getMessage());
            return refused(req, new RefusedRequest(HttpResponseStatus.BAD_REQUEST, "invalid",
                    "body: not valid gzip: " + why + "; nothing of it was stored", false));
        } finally {
            if (!kept) {
                decoded.release();
                lease.close();
            }
        }
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
