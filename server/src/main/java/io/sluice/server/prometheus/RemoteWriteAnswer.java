package io.sluice.server.prometheus;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.codec.ParseError;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.WriteAnswer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Remote write's answers (2.0 spec, "Response"; Prometheus' {@code storage/remote/write_handler.go}):
 * 204 once committed; 400 with a plain-text sentence when samples were refused (the sender logs it
 * and does not retry; the valid ones are stored); 5xx, which the sender retries, only for Sluice's
 * own trouble (the JSON answers every write path gives). A 2.0 request gets the
 * {@code X-Prometheus-Remote-Write-*-Written} headers it requires, zeros included.
 */
final class RemoteWriteAnswer implements WriteAnswer {
    static final String SAMPLES_WRITTEN = "X-Prometheus-Remote-Write-Samples-Written";
    static final String HISTOGRAMS_WRITTEN = "X-Prometheus-Remote-Write-Histograms-Written";
    static final String EXEMPLARS_WRITTEN = "X-Prometheus-Remote-Write-Exemplars-Written";

    private final boolean v2;

    RemoteWriteAnswer(boolean v2) {
        this.v2 = v2;
    }

    @Override
    public void committed(Exchange ex, int accepted, int rejected, List<ParseError> errors) {
        if (rejected == 0) {
            ex.bytes(HttpResponseStatus.NO_CONTENT, null, new byte[0], written(accepted));
        } else {
            ex.bytes(HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8",
                    (WriteAnswer.partialMessage(accepted, rejected, errors) + "\n").getBytes(StandardCharsets.UTF_8),
                    written(accepted));
        }
    }

    @Override
    public void refused(Exchange ex, String message) {
        ex.bytes(HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8",
                (message + "\n").getBytes(StandardCharsets.UTF_8), written(0));
    }

    /** The 2.0 headers (none for 1.0); histograms and exemplars are counted, never stored. */
    private Map<String, Object> written(int samples) {
        return v2 ? Map.of(SAMPLES_WRITTEN, samples, HISTOGRAMS_WRITTEN, 0, EXEMPLARS_WRITTEN, 0) : Map.of();
    }
}
