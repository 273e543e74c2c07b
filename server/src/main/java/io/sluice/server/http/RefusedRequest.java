package io.sluice.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why a request was refused before it reached a route (body too large, an unsupported or broken
 * content coding). The pipeline handler that finds it marks the request's decoder result with it,
 * so the answer goes out through {@link HttpDispatcher} in the connection's order.
 */
final class RefusedRequest extends RuntimeException {
    private final HttpResponseStatus status;
    private final String code;
    private final boolean close;

    /** @param close whether the connection must close after the answer (the rest of the body is unread) */
    RefusedRequest(HttpResponseStatus status, String code, String message, boolean close) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.close = close;
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
}
