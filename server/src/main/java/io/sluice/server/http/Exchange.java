package io.sluice.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.sluice.server.auth.Principal;
import io.sluice.storage.query.SeriesScope;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** One request and the means to answer it exactly once, now or later, from any thread. */
public final class Exchange {
    /**
     * Writes every JSON answer. The fast double writer (Schubfach) because JDK 17's
     * {@code Double.toString} was a quarter of a raw query's CPU (JFR, 3,000 values an answer).
     */
    public static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build());

    private final ChannelHandlerContext ctx;
    private final FullHttpRequest request;
    /** Its place among the connection's pipelined requests ({@link HttpPipelining}). */
    private final int sequence;
    private final Map<String, String> pathParams;
    private final QueryStringDecoder query;
    private final boolean keepAlive;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile boolean upgraded;
    private final HttpHeaders extraHeaders = new DefaultHttpHeaders();
    private Principal principal = Principal.LOCAL;

    /** @param target the request's target, already decoded (a bad one is answered before an exchange exists) */
    Exchange(ChannelHandlerContext ctx, FullHttpRequest request, int sequence, QueryStringDecoder target,
             Map<String, String> pathParams) {
        this.ctx = ctx;
        this.request = request;
        this.sequence = sequence;
        this.pathParams = pathParams;
        this.query = target;
        this.keepAlive = HttpUtil.isKeepAlive(request);
    }

    /** A header for the answer, whatever it turns out to be. */
    public Exchange header(CharSequence name, Object value) {
        extraHeaders.set(name, value);
        return this;
    }

    /** The headers every answer to this request gets (CORS, challenges); set before the handler runs. */
    HttpHeaders headers() {
        return extraHeaders;
    }

    /** Who the request acts as (README "Tokens and scopes"), set before its handler runs. */
    public Principal principal() {
        return principal;
    }

    void principal(Principal p) {
        this.principal = p;
    }

    /** The series this request may read: every read of the series table goes through it. */
    public SeriesScope scope() {
        return principal.reads();
    }

    public FullHttpRequest request() {
        return request;
    }

    public ChannelHandlerContext ctx() {
        return ctx;
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or null. */
    public String query(String name) {
        List<String> v = query.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public Map<String, List<String>> queryParams() {
        return query.parameters();
    }

    public ByteBuf body() {
        return request.content();
    }

    /**
     * The connection is being handed to another protocol (WebSocket): its 101 is the answer, and
     * {@link HttpPipelining} counts it as this request's. A handshake that fails after this call
     * still gets its error answer.
     */
    public void upgraded() {
        upgraded = true;
    }

    public boolean answered() {
        return upgraded || answered.get();
    }

    public void noContent() {
        send(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), false);
    }

    /**
     * Serialises straight into a pooled buffer, which the response owns and Netty releases once
     * written: a raw hour's 100 KB answer as a byte array was built in segments, copied into one
     * array, then copied again into a direct buffer for the socket.
     */
    public void json(HttpResponseStatus status, Object body) {
        send(jsonResponse(status, body), false);
    }

    private FullHttpResponse jsonResponse(HttpResponseStatus status, Object body) {
        ByteBuf buf = ctx.alloc().buffer(4096);
        try {
            JSON.writeValue((OutputStream) new ByteBufOutputStream(buf), body);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw new IllegalStateException("response not serialisable", e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        return r;
    }

    /** JSON already serialised (a cached answer). */
    public void jsonBytes(HttpResponseStatus status, byte[] body) {
        bytes(status, HttpHeaderValues.APPLICATION_JSON.toString(), body);
    }

    public void text(HttpResponseStatus status, String contentType, String body) {
        bytes(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A body as it is (the array is wrapped, not copied: do not change it afterwards); no type for none. */
    public void bytes(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        send(r, false);
    }

    /**
     * A body with headers of its own, set on this response only: safe when two threads race to
     * answer (a commit and its timeout), unlike {@link #header}. {@code contentType} null for none.
     */
    public void bytes(HttpResponseStatus status, String contentType, byte[] body, Map<String, Object> headers) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        headers.forEach(r.headers()::set);
        send(r, false);
    }

    /** A JSON error: {@code {"code": ..., "message": ..., "error": ...}} (InfluxDB v2 and v1 clients read these). */
    public void error(HttpResponseStatus status, String code, String message) {
        error(status, code, message, Map.of());
    }

    public void error(HttpResponseStatus status, String code, String message, Map<String, Object> extra) {
        json(status, errorBody(code, message, extra));
    }

    /** 503 with Retry-After, telling the client to come back. */
    public void unavailable(String message, int retryAfterSeconds, Map<String, Object> extra) {
        // On this response only: header() would touch headers another thread may be sending.
        FullHttpResponse r = jsonResponse(HttpResponseStatus.SERVICE_UNAVAILABLE, errorBody("unavailable", message, extra));
        r.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        send(r, false);
    }

    /**
     * A fault on Sluice's side: a stable message and an error id, never the exception's text;
     * the caller logs the details with the same id (README "Answers").
     */
    public void serverError(String errorId) {
        error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error",
                "internal error (error id " + errorId + "); Sluice's log has the details", Map.of("error_id", errorId));
    }

    /** A JSON error, then the connection closes (the rest of the request stream cannot be read). */
    void errorAndClose(HttpResponseStatus status, String code, String message) {
        send(jsonResponse(status, errorBody(code, message, Map.of())), true);
    }

    private static Map<String, Object> errorBody(String code, String message, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        body.put("error", message);
        body.putAll(extra);
        return body;
    }

    /**
     * Writes the response unless one was already sent; returns whether this call sent it. It goes
     * out once every earlier request of the connection has been answered ({@link HttpPipelining});
     * from another thread Netty hands the write to the channel's event loop.
     */
    boolean send(FullHttpResponse r, boolean close) {
        if (!answered.compareAndSet(false, true)) {
            r.release();
            return false;
        }
        boolean keep = keepAlive && !close;
        if (r.status().code() != 304) { // a 304's length would be the unsent body's (RFC 9110 §8.6)
            HttpUtil.setContentLength(r, r.content().readableBytes());
        }
        r.headers().add(extraHeaders);
        r.headers().set(HttpHeaderNames.CONNECTION, keep ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        HttpPipelining.Sequenced<FullHttpResponse> in = new HttpPipelining.Sequenced<>(r, sequence);
        if (keep) {
            ctx.writeAndFlush(in, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(in).addListener(LingeringClose.AFTER_ANSWER);
        }
        return true;
    }
}
