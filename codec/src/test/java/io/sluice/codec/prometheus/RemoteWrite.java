package io.sluice.codec.prometheus;

import io.sluice.codec.ProtoWriter;

import java.util.function.Consumer;

/** Remote write messages for tests, written field by field with protobuf-java (field numbers from prompb). */
final class RemoteWrite {
    private RemoteWrite() {
    }

    /** A 1.0 Label. */
    static Consumer<ProtoWriter> label(String name, String value) {
        return w -> w.string(1, name).string(2, value);
    }

    /** A Sample (1.0 and 2.0). */
    static Consumer<ProtoWriter> sample(double value, long timestampMs) {
        return w -> w.doubleField(1, value).int64(2, timestampMs);
    }

    /** A 1.0 TimeSeries with labels as name, value pairs and samples as value, timestamp pairs. */
    static Consumer<ProtoWriter> series(String[] labels, double[] values, long[] times) {
        return w -> {
            for (int i = 0; i < labels.length; i += 2) {
                w.message(1, label(labels[i], labels[i + 1]));
            }
            for (int i = 0; i < values.length; i++) {
                w.message(2, sample(values[i], times[i]));
            }
        };
    }

    static byte[] v1(Consumer<ProtoWriter> request) {
        return ProtoWriter.message(request);
    }
}
