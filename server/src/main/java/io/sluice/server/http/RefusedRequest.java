package io.sluice.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why a request was refused before it reached a route (body too large, an unsupported or broken
 * content coding, over the body budget). The pipeline handler that finds it marks the request's
 * decoder result with it, so the answer goes out through {@link HttpDispatcher} in the
 * connection's order.
 */
final class RefusedRequest extends RuntimeException {
    private final HttpResponseStatus status;
    private final String code;
    private final boolean close;
    private final int retryAfterSeconds;

    /** @param close whether the connection must close after the answer (the rest of the body is unread) */
    RefusedRequest(HttpResponseStatus status, String code, String message, boolean close) {
        this(status, code, message, close, 0);
    }

    /** @param retryAfterSeconds when the client may try again ({@code Retry-After}); 0 for never */
    RefusedRequest(HttpResponseStatus status, String code, String message, boolean close, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.close = close;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    HttpResponseStatus status() {
        return status;
    }

    String code() {
        return code;
    }

    boolean close() {
        return close;
    }

    int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
