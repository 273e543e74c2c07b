package io.sluice.codec.prometheus;

import io.sluice.codec.Allocation;
import io.sluice.codec.ParseError;
import io.sluice.codec.ProtoWriter;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.prometheus.RemoteWriteParser.Version;
import org.junit.jupiter.api.Test;

import static io.sluice.codec.prometheus.RemoteWrite.series;
import static org.assertj.core.api.Assertions.assertThat;

/** Reading a request allocates a constant few objects (the protobuf streams), nothing per series or sample. */
class RemoteWriteAllocationTest {
    private static final int SERIES = 500;
    private long touched;

    private final SampleSink sink = new SampleSink() {
        @Override
        public void sample(SeriesKey key, long timeMicros, double value, long step) {
            touched += key.hashCode() + (long) value;
        }

        @Override
        public void error(ParseError error) {
            throw new AssertionError(error.toString());
        }
    };

    @Test
    void v1AllocatesNothingPerSample() {
        byte[] body = ProtoWriter.message(w -> {
            for (int i = 0; i < SERIES; i++) {
                w.message(1, series(new String[]{"__name__", "http_requests_total", "code", "200", "instance", "web-" + i,
                        "job", "api"}, new double[]{i, i + 1}, new long[]{1_732_280_000_000L, 1_732_280_015_000L}));
            }
        });
        assertPerParseAllocationIsSmall(body, Version.V1);
    }

    @Test
    void v2AllocatesNothingPerSample() {
        byte[] body = ProtoWriter.message(w -> {
            w.string(4, "").string(4, "__name__").string(4, "http_requests_total").string(4, "instance");
            for (int i = 0; i < SERIES; i++) {
                w.string(4, "web-" + i);
            }
            for (int i = 0; i < SERIES; i++) {
                int v = 4 + i;
                w.message(5, s -> s.packedVarints(1, 1, 2, 3, v)
                        .message(2, RemoteWrite.sample(v, 1_732_280_000_000L))
                        .message(2, RemoteWrite.sample(v + 1, 1_732_280_015_000L)));
            }
        });
        assertPerParseAllocationIsSmall(body, Version.V2);
    }

    private void assertPerParseAllocationIsSmall(byte[] body, Version version) {
        RemoteWriteParser parser = new RemoteWriteParser();
        for (int i = 0; i < 3_000; i++) {
            parser.parse(body, 0, body.length, version, sink);
        }
        long allocated = Allocation.bytes(() -> {
            for (int i = 0; i < 1_000; i++) {
                parser.parse(body, 0, body.length, version, sink);
            }
        });
        // 1,000,000 samples: an object per sample would be tens of megabytes.
        assertThat(allocated / 1_000).as("bytes allocated per parse of %d samples", 2 * SERIES).isLessThan(1024);
        assertThat(touched).isNotZero();
    }
}
