package io.sluice.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.codec.ParseError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a write path answers each outcome of {@link WritePublisher}: committed (wholly, or with
 * some samples refused), too large, unavailable (retry later), refused by the database, or
 * failed on Sluice's side. The
 * defaults are the InfluxDB-style JSON answers of {@code /write} (README "Answers"); a protocol
 * with its own conventions (remote write's headers, OTLP's {@code partial_success} and
 * {@code google.rpc.Status}) overrides what differs. Called once per request, from any thread.
 */
public interface WriteAnswer {
    /** InfluxDB's: 204, or 400 naming each refused line with the others stored. */
    WriteAnswer INFLUX = new WriteAnswer() {
    };

    /**
     * Every sample the sink accepted is committed; {@code rejected} lines or samples were refused
     * before (the first of them in {@code errors}).
     */
    default void committed(Exchange ex, int accepted, int rejected, List<ParseError> errors) {
        if (rejected == 0) {
            ex.noContent();
            return;
        }
        ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", partialMessage(accepted, rejected, errors),
                lineErrors(accepted, rejected, errors));
    }

    /** The request holds more samples than one request may; nothing was stored. */
    default void tooLarge(Exchange ex, String message) {
        ex.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too large", message);
    }

    /** 503: the ring stayed full or the commit did not come in time; {@code extra} says what was queued. */
    default void unavailable(Exchange ex, String message, int retryAfterSeconds, Map<String, Object> extra) {
        ex.unavailable(message, retryAfterSeconds, extra);
    }

    /**
     * The database refused a value of the request (SQLSTATE class 22 or 23); nothing of it was
     * stored. {@code message} names the SQLSTATE and the error id of the log line with the details.
     */
    default void refused(Exchange ex, String message) {
        ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", message);
    }

    /** The writers gave up on the request; the log line with {@code errorId} has the cause. */
    default void failed(Exchange ex, String errorId) {
        ex.serverError(errorId);
    }

    /** The sentence every style gives a partial write: how many refused and stored, and the first reason. */
    static String partialMessage(int accepted, int rejected, List<ParseError> errors) {
        String first = errors.isEmpty() ? "" : "; first: " + errors.get(0);
        return (accepted > 0 ? "partial write: " : "no samples written: ")
                + rejected + " line(s) or sample(s) rejected, " + accepted + " sample(s) stored" + first;
    }

    /** {@code accepted}, {@code rejected} and {@code line_errors} of the JSON answer. */
    static Map<String, Object> lineErrors(int accepted, int rejected, List<ParseError> errors) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("accepted", accepted);
        extra.put("rejected", rejected);
        List<Map<String, Object>> lines = new ArrayList<>(errors.size());
        for (ParseError e : errors) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", e.line());
            m.put("position", e.position());
            m.put("reason", e.reason());
            m.put("text", e.text());
            lines.add(m);
        }
        extra.put("line_errors", lines);
        return extra;
    }
}
