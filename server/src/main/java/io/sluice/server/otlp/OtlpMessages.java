package io.sluice.server.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.protobuf.CodedOutputStream;
import io.sluice.server.http.Exchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two messages Sluice answers OTLP/HTTP with, in the request's encoding (OTLP spec,
 * "OTLP/HTTP Response"): {@code ExportMetricsServiceResponse} with its optional
 * {@code partial_success}, and {@code google.rpc.Status} for failures.
 */
final class OtlpMessages {
    /** google.rpc.Code values the answers use (the spec leaves {@code code} informative). */
    static final int INVALID_ARGUMENT = 3;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;

    private OtlpMessages() {
    }

    /** Full success: an empty response; partial: {@code partial_success {rejected_data_points, error_message}}. */
    static byte[] response(boolean json, long rejectedPoints, String errorMessage) {
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (rejectedPoints > 0 || errorMessage != null) {
                Map<String, Object> partial = new LinkedHashMap<>();
                partial.put("rejectedDataPoints", Long.toString(rejectedPoints)); // int64 as a string (proto3 JSON)
                partial.put("errorMessage", errorMessage);
                body.put("partialSuccess", partial);
            }
            return json(body);
        }
        if (rejectedPoints == 0 && errorMessage == null) {
            return new byte[0];
        }
        byte[] partial = proto(out -> {
            out.writeInt64(1, rejectedPoints);
            if (errorMessage != null) {
                out.writeString(2, errorMessage);
            }
        });
        return proto(out -> out.writeByteArray(1, partial));
    }

    /** A {@code google.rpc.Status}: code and message, no details. */
    static byte[] status(boolean json, int code, String message) {
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", code);
            body.put("message", message);
            return json(body);
        }
        return proto(out -> {
            out.writeInt32(1, code);
            out.writeString(2, message);
        });
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] proto(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            fields.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] json(Object body) {
        try {
            return Exchange.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
