package io.sluice.server.otlp;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.codec.ParseError;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.WriteAnswer;

import java.util.List;
import java.util.Map;

/**
 * OTLP/HTTP's answers (OTLP spec, "OTLP/HTTP Response"), in the request's encoding: 200 with an
 * empty {@code ExportMetricsServiceResponse} once committed; 200 with {@code partial_success}
 * naming how many data points were refused and why when some were (the client must not retry);
 * 400 with a {@code google.rpc.Status} when every point was refused; 503 with {@code Retry-After},
 * which the SDKs retry; 413 and 500 as Status too.
 */
final class OtlpAnswer implements WriteAnswer {
    private final boolean json;
    private final int rejectedPoints;
    private final int points;

    OtlpAnswer(boolean json, int rejectedPoints, int points) {
        this.json = json;
        this.rejectedPoints = rejectedPoints;
        this.points = points;
    }

    String contentType() {
        return json ? "application/json" : "application/x-protobuf";
    }

    @Override
    public void committed(Exchange ex, int accepted, int rejected, List<ParseError> errors) {
        if (rejected == 0) {
            ex.bytes(HttpResponseStatus.OK, contentType(), OtlpMessages.response(json, 0, null), Map.of());
            return;
        }
        String message = rejectedPoints + " of " + points + " data point(s) rejected: "
                + WriteAnswer.partialMessage(accepted, rejected, errors);
        if (accepted == 0) {
            status(ex, HttpResponseStatus.BAD_REQUEST, OtlpMessages.INVALID_ARGUMENT, message, Map.of());
        } else {
            ex.bytes(HttpResponseStatus.OK, contentType(), OtlpMessages.response(json, rejectedPoints, message), Map.of());
        }
    }

    @Override
    public void tooLarge(Exchange ex, String message) {
        status(ex, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, OtlpMessages.RESOURCE_EXHAUSTED, message, Map.of());
    }

    @Override
    public void unavailable(Exchange ex, String message, int retryAfterSeconds, Map<String, Object> extra) {
        status(ex, HttpResponseStatus.SERVICE_UNAVAILABLE, OtlpMessages.UNAVAILABLE, message + " " + extra,
                Map.of(HttpHeaderNames.RETRY_AFTER.toString(), retryAfterSeconds));
    }

    @Override
    public void refused(Exchange ex, String message) {
        status(ex, HttpResponseStatus.BAD_REQUEST, OtlpMessages.INVALID_ARGUMENT, message, Map.of());
    }

    @Override
    public void failed(Exchange ex, String errorId) {
        status(ex, HttpResponseStatus.INTERNAL_SERVER_ERROR, OtlpMessages.INTERNAL,
                "internal error (error id " + errorId + "); Sluice's log has the details", Map.of());
    }

    void status(Exchange ex, HttpResponseStatus http, int code, String message, Map<String, Object> headers) {
        ex.bytes(http, contentType(), OtlpMessages.status(json, code, message), headers);
    }
}
