package io.sluice.codec.otlp;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.sluice.codec.Allocation;
import io.sluice.codec.ParseError;
import io.sluice.codec.ProtoWriter;
import io.sluice.codec.Recorder;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.sluice.codec.otlp.OtlpParserTest.kv;
import static io.sluice.codec.otlp.OtlpParserTest.number;
import static io.sluice.codec.otlp.OtlpParserTest.request;
import static org.assertj.core.api.Assertions.assertThat;

class OtlpMalformedTest {
    private final OtlpProtobufParser protobuf = new OtlpProtobufParser();
    private final OtlpJsonParser json = new OtlpJsonParser();

    private static final byte[] GOOD = request(Metric.newBuilder().setName("m")
            .setGauge(Gauge.newBuilder().addDataPoints(number(1, kv("a", "b")))).build()).toByteArray();

    @Test
    void brokenProtobufIsOneErrorAndMalformed() {
        byte[][] bad = {
                Arrays.copyOf(GOOD, GOOD.length - 2),
                ProtoWriter.message(w -> w.uint32(1, 3)),                          // resource_metrics as a varint
                ProtoWriter.message(w -> w.message(1, rm -> rm.message(2, sm -> sm.message(2, m -> m.string(1, "x")
                        .message(5, g -> g.message(1, p -> p.int64(4, 1))))))),  // as_double as a varint
                ProtoWriter.message(w -> w.raw((byte) 0x0A, (byte) 0x05, (byte) 1)),
                "{\"resourceMetrics\":[]}".getBytes(StandardCharsets.UTF_8),
        };
        for (byte[] b : bad) {
            Recorder r = new Recorder();
            protobuf.parse(b, 0, b.length, r);
            assertThat(protobuf.malformed()).as(Arrays.toString(b)).isNotNull();
            assertThat(r.errors).hasSize(1);
            assertThat(r.errors.get(0).reason()).startsWith("not a valid ExportMetricsServiceRequest: ");
        }
        Recorder r = new Recorder();
        protobuf.parse(GOOD, 0, GOOD.length, r);
        assertThat(protobuf.malformed()).isNull();
        assertThat(r.samples).hasSize(1);
    }

    @Test
    void unknownProtobufFieldsAreSkipped() {
        byte[] withUnknown = Arrays.copyOf(GOOD, GOOD.length + 3);
        withUnknown[GOOD.length] = (byte) 0x78; // field 15, varint
        withUnknown[GOOD.length + 1] = 5;
        withUnknown[GOOD.length + 2] = 0;
        Recorder r = new Recorder();
        protobuf.parse(withUnknown, 0, GOOD.length + 2, r);
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).hasSize(1);
    }

    @Test
    void brokenJsonIsOneErrorAndMalformed() {
        String[] bad = {
                "", "[]", "{\"resourceMetrics\":{}}", "{\"resourceMetrics\":[", "not json",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":3}]}]}]}",
                "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"a\",\"value\":{\"intValue\":\"x\"}}]}}]}",
        };
        for (String b : bad) {
            Recorder r = new Recorder();
            byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
            json.parse(bytes, 0, bytes.length, r);
            assertThat(json.malformed()).as(b).isNotNull();
            assertThat(r.errors).as(b).hasSize(1);
        }
    }

    @Test
    void aJsonPointOfTheWrongTypeIsRefusedAlone() {
        String doc = """
                {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[
                  {"timeUnixNano":"1732280000000000000","asDouble":"lots"},
                  {"timeUnixNano":"1732280000000000000","asInt":"7","unknownMember":{"x":[1]}},
                  {"timeUnixNano":-5,"asDouble":1}
                ]}}]}]}],"somethingNew":true}""";
        Recorder r = new Recorder();
        byte[] b = doc.getBytes(StandardCharsets.UTF_8);
        json.parse(b, 0, b.length, r);
        assertThat(json.malformed()).isNull();
        assertThat(r.samples).extracting(Recorder.Sample::value).containsExactly(7.0);
        assertThat(r.errors).extracting(ParseError::reason).containsExactly(
                "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].asDouble: must be a number",
                "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[2].timeUnixNano: must be an unsigned integer"
                        + " (a number or its decimal text)");
        assertThat(r.errors).extracting(ParseError::line).containsExactly(1, 3);
    }

    @Test
    void readingProtobufAllocatesNothingPerPoint() {
        ExportMetricsServiceRequest.Builder req = request().toBuilder();
        Gauge.Builder g = Gauge.newBuilder();
        for (int i = 0; i < 500; i++) {
            g.addDataPoints(number(i, kv("instance", "web-" + (i % 50)), kv("code", "200")));
        }
        req.getResourceMetricsBuilder(0).getScopeMetricsBuilder(0).addMetrics(Metric.newBuilder().setName("reqs").setGauge(g));
        byte[] body = req.build().toByteArray();
        long[] touched = {0};
        SampleSink sink = new SampleSink() {
            @Override
            public void sample(SeriesKey key, long timeMicros, double value, long step) {
                touched[0] += key.hashCode();
            }

            @Override
            public void error(ParseError error) {
                throw new AssertionError(error.toString());
            }
        };
        for (int i = 0; i < 3_000; i++) {
            protobuf.parse(body, 0, body.length, sink);
        }
        long allocated = Allocation.bytes(() -> {
            for (int i = 0; i < 1_000; i++) {
                protobuf.parse(body, 0, body.length, sink);
            }
        });
        assertThat(allocated / 1_000).as("bytes allocated per parse of 500 points").isLessThan(2048);
        assertThat(touched[0]).isNotZero();
    }
}
