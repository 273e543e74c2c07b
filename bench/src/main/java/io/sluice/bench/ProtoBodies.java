package io.sluice.bench;

import com.google.protobuf.CodedOutputStream;
import org.xerial.snappy.Snappy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Request bodies as Prometheus and the OpenTelemetry SDK send them, written field by field with
 * protobuf-java (field numbers from prompb and opentelemetry-proto). Made before the clock starts.
 */
final class ProtoBodies {
    private ProtoBodies() {
    }

    /**
     * A remote write 1.0 request, snappy block compressed: one series per row with one sample, as
     * Prometheus batches a scrape's samples ({@code __name__}, then {@code host}, sorted).
     */
    static byte[] remoteWrite(String metric, long from, long to, int series, long t0Micros) {
        byte[] request = message(out -> {
            for (long k = from; k < to; k++) {
                long row = k;
                byte[] ts = message(s -> {
                    s.writeByteArray(1, message(l -> {
                        l.writeString(1, "__name__");
                        l.writeString(2, metric);
                    }));
                    s.writeByteArray(1, message(l -> {
                        l.writeString(1, "host");
                        l.writeString(2, "h" + (row % series));
                    }));
                    s.writeByteArray(2, message(v -> {
                        v.writeDouble(1, row / 2.0);
                        v.writeInt64(2, t0Micros / 1000 + row); // ms, 1 ms apart: every (series, time) distinct
                    }));
                });
                out.writeByteArray(1, ts);
            }
        });
        try {
            return Snappy.compress(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An OTLP ExportMetricsServiceRequest: one resource, one scope, one gauge whose data points are
     * the rows, each with its {@code host} attribute, as an SDK's periodic reader exports.
     */
    static byte[] otlp(String metric, long from, long to, int series, long t0Micros) {
        return message(req -> req.writeByteArray(1, message(rm -> rm.writeByteArray(2, message(sm -> {
            sm.writeByteArray(1, message(scope -> scope.writeString(1, "sluice-bench")));
            sm.writeByteArray(2, message(m -> {
                m.writeString(1, metric);
                m.writeByteArray(5, message(gauge -> {
                    for (long k = from; k < to; k++) {
                        long row = k;
                        gauge.writeByteArray(1, message(p -> {
                            p.writeFixed64(3, (t0Micros + row) * 1000L);
                            p.writeDouble(4, row / 2.0);
                            p.writeByteArray(7, message(kv -> {
                                kv.writeString(1, "host");
                                kv.writeByteArray(2, message(any -> any.writeString(1, "h" + (row % series))));
                            }));
                        }));
                    }
                }));
            }));
        })))));
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) {
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
}
