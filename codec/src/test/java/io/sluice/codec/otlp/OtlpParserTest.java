package io.sluice.codec.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sluice.codec.ParseError;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden requests built with opentelemetry-proto's generated classes, read in both encodings:
 * binary as the message serialises, JSON as protobuf's JsonFormat prints it with integer enums
 * (OTLP's JSON rules). Both readers must give the same samples.
 */
class OtlpParserTest {
    private static final long T = 1_732_280_000_123_456_789L;
    private static final long T_MICROS = 1_732_280_000_123_456L;

    private final OtlpProtobufParser protobuf = new OtlpProtobufParser();
    private final OtlpJsonParser json = new OtlpJsonParser();

    static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    static KeyValue kv(String k, AnyValue v) {
        return KeyValue.newBuilder().setKey(k).setValue(v).build();
    }

    static ExportMetricsServiceRequest request(Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "checkout"))
                        .addAttributes(kv("host.name", "web-1")))
                .addScopeMetrics(ScopeMetrics.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("io.shop").setVersion("1.0")
                                .addAttributes(kv("team", "payments")))
                        .addAllMetrics(List.of(metrics)))).build();
    }

    static NumberDataPoint.Builder number(double v, KeyValue... attributes) {
        return NumberDataPoint.newBuilder().setTimeUnixNano(T).setStartTimeUnixNano(T - 1).setAsDouble(v)
                .addAllAttributes(List.of(attributes));
    }

    private Recorder both(ExportMetricsServiceRequest req) {
        Recorder viaProtobuf = new Recorder();
        byte[] bin = req.toByteArray();
        byte[] padded = new byte[bin.length + 5];
        System.arraycopy(bin, 0, padded, 2, bin.length);
        protobuf.parse(padded, 2, bin.length, viaProtobuf);
        Recorder viaJson = new Recorder();
        String text;
        try {
            text = JsonFormat.printer().printingEnumsAsInts().print(req);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        byte[] j = text.getBytes(StandardCharsets.UTF_8);
        json.parse(j, 0, j.length, viaJson);
        assertThat(viaJson.samples).as("JSON gives what protobuf gives").isEqualTo(viaProtobuf.samples);
        assertThat(viaJson.errors).extracting(ParseError::reason)
                .isEqualTo(viaProtobuf.errors.stream().map(ParseError::reason).toList());
        assertThat(json.stats().points()).isEqualTo(protobuf.stats().points());
        assertThat(protobuf.malformed()).isNull();
        assertThat(json.malformed()).isNull();
        return viaProtobuf;
    }

    private static Map<String, String> tags(String... more) {
        Map<String, String> m = new LinkedHashMap<>(Map.of("service.name", "checkout", "host.name", "web-1", "team", "payments"));
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    void gaugesAndSumsAreOneSamplePerPointWithEveryLevelsAttributes() {
        Recorder r = both(request(
                Metric.newBuilder().setName("process.cpu.utilization").setGauge(Gauge.newBuilder()
                        .addDataPoints(number(0.25, kv("cpu", "0")))
                        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T).setAsInt(-7)
                                .addAttributes(kv("cpu", "1")))).build(),
                Metric.newBuilder().setName("http.server.requests").setSum(Sum.newBuilder().setIsMonotonic(true)
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                        .addDataPoints(number(12, kv("team", "override")))).build(),
                Metric.newBuilder().setName("jobs.done").setSum(Sum.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .addDataPoints(number(3))).build()));
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(
                Sample.of("process.cpu.utilization", tags("cpu", "0"), T_MICROS, 0.25),
                Sample.of("process.cpu.utilization", tags("cpu", "1"), T_MICROS, -7),
                Sample.of("http.server.requests", tags("team", "override"), T_MICROS, 12),
                Sample.of("jobs.done", tags("temporality", "delta"), T_MICROS, 3));
        assertThat(protobuf.stats().points()).isEqualTo(4);
        assertThat(protobuf.stats().metrics()).isEqualTo(3);
    }

    @Test
    void aHistogramBecomesCumulativeBucketsSumCountMinMax() {
        Recorder r = both(request(Metric.newBuilder().setName("rpc.duration").setHistogram(Histogram.newBuilder()
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T).setCount(10).setSum(4.5)
                        .addAllExplicitBounds(List.of(0.0001, 0.5, 10.0)).addAllBucketCounts(List.of(1L, 2L, 3L, 4L))
                        .setMin(0.00005).setMax(42)
                        .addExemplars(Exemplar.newBuilder().setAsDouble(0.3).setTimeUnixNano(T)
                                .setTraceId(ByteString.copyFrom(new byte[16])))))
                .build()));
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(
                Sample.of("rpc.duration_bucket", tags("le", "0.0001"), T_MICROS, 1),
                Sample.of("rpc.duration_bucket", tags("le", "0.5"), T_MICROS, 3),
                Sample.of("rpc.duration_bucket", tags("le", "10"), T_MICROS, 6),
                Sample.of("rpc.duration_bucket", tags("le", "+Inf"), T_MICROS, 10),
                Sample.of("rpc.duration_sum", tags(), T_MICROS, 4.5),
                Sample.of("rpc.duration_count", tags(), T_MICROS, 10),
                Sample.of("rpc.duration_min", tags(), T_MICROS, 0.00005),
                Sample.of("rpc.duration_max", tags(), T_MICROS, 42));
        assertThat(protobuf.stats().exemplars()).isEqualTo(1);
    }

    @Test
    void anExponentialHistogramBecomesCumulativeBucketsAroundZero() {
        // scale 0: base 2. Negative buckets at offset 1 cover (-4,-2] and (-8,-4]; zero bucket; positive at offset -1:
        // (0.5,1], (1,2], (2,4].
        Recorder r = both(request(Metric.newBuilder().setName("latency").setExponentialHistogram(ExponentialHistogram
                .newBuilder().setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T).setScale(0)
                        .setCount(16).setSum(9.5).setZeroCount(1).setZeroThreshold(0)
                        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-1)
                                .addAllBucketCounts(List.of(2L, 3L, 4L)))
                        .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(1)
                                .addAllBucketCounts(List.of(5L, 1L)))))
                .build()));
        assertThat(r.errors).isEmpty();
        Map<String, String> delta = tags("temporality", "delta");
        assertThat(r.samples).containsExactly(
                Sample.of("latency_bucket", with(delta, "le", "-4"), T_MICROS, 1),
                Sample.of("latency_bucket", with(delta, "le", "-2"), T_MICROS, 6),
                Sample.of("latency_bucket", with(delta, "le", "0"), T_MICROS, 7),
                Sample.of("latency_bucket", with(delta, "le", "1"), T_MICROS, 9),
                Sample.of("latency_bucket", with(delta, "le", "2"), T_MICROS, 12),
                Sample.of("latency_bucket", with(delta, "le", "4"), T_MICROS, 16),
                Sample.of("latency_bucket", with(delta, "le", "+Inf"), T_MICROS, 16),
                Sample.of("latency_sum", delta, T_MICROS, 9.5),
                Sample.of("latency_count", delta, T_MICROS, 16));
    }

    @Test
    void aSummaryBecomesQuantilesSumAndCount() {
        Recorder r = both(request(Metric.newBuilder().setName("gc.pause").setSummary(Summary.newBuilder()
                .addDataPoints(SummaryDataPoint.newBuilder().setTimeUnixNano(T).setCount(4).setSum(0.75)
                        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(0.1))
                        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(0.4))))
                .build()));
        assertThat(r.samples).containsExactly(
                Sample.of("gc.pause", tags("quantile", "0.5"), T_MICROS, 0.1),
                Sample.of("gc.pause", tags("quantile", "0.99"), T_MICROS, 0.4),
                Sample.of("gc.pause_sum", tags(), T_MICROS, 0.75),
                Sample.of("gc.pause_count", tags(), T_MICROS, 4));
    }

    @Test
    void attributesOfEveryTypeBecomeText() {
        AnyValue array = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                .addValues(AnyValue.newBuilder().setStringValue("a")).addValues(AnyValue.newBuilder().setIntValue(2))).build();
        Recorder r = both(request(Metric.newBuilder().setName("m").setGauge(Gauge.newBuilder().addDataPoints(number(1,
                kv("i", AnyValue.newBuilder().setIntValue(-42).build()),
                kv("d", AnyValue.newBuilder().setDoubleValue(0.0005).build()),
                kv("b", AnyValue.newBuilder().setBoolValue(true).build()),
                kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("hi")).build()),
                kv("arr", array),
                kv("empty", AnyValue.getDefaultInstance())))).build()));
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(Sample.of("m", tags("i", "-42", "d", "0.0005", "b", "true", "bytes", "aGk=",
                "arr", "[\"a\",2]", "empty", ""), T_MICROS, 1));
    }

    @Test
    void noRecordedValueIsCountedNotStoredAndAMissingTimeIsArrivalTime() {
        Recorder r = both(request(Metric.newBuilder().setName("m").setGauge(Gauge.newBuilder()
                .addDataPoints(number(1).setFlags(1))
                .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(2))).build()));
        assertThat(r.samples).containsExactly(Sample.of("m", tags(), Recorder.NO_TIME, 2));
        assertThat(protobuf.stats().noRecordedValue()).isEqualTo(1);
        assertThat(json.stats().noRecordedValue()).isEqualTo(1);
    }

    @Test
    void badPointsAreRefusedOneErrorEachAndTheRestStored() {
        Recorder r = both(request(
                Metric.newBuilder().setName("").setGauge(Gauge.newBuilder().addDataPoints(number(1))
                        .addDataPoints(number(2))).build(),
                Metric.newBuilder().setName("h").setHistogram(Histogram.newBuilder().addDataPoints(HistogramDataPoint
                        .newBuilder().setTimeUnixNano(T).setCount(3).addAllExplicitBounds(List.of(1.0, 2.0))
                        .addAllBucketCounts(List.of(1L, 2L)))).build(),
                Metric.newBuilder().setName("ok").setGauge(Gauge.newBuilder().addDataPoints(number(5, kv("", "x")))
                        .addDataPoints(number(6))).build()));
        assertThat(r.samples).containsExactly(Sample.of("ok", tags(), T_MICROS, 6));
        assertThat(r.errors).extracting(ParseError::line).containsExactly(1, 2, 3, 4);
        assertThat(r.errors).extracting(ParseError::reason).containsExactly(
                "metric without a name", "metric without a name",
                "histogram has 2 bucket counts for 2 explicit bounds (it needs one more count than bounds)",
                "an attribute with an empty key");
        assertThat(protobuf.stats().rejectedPoints()).isEqualTo(4);
        assertThat(protobuf.stats().points()).isEqualTo(5);
    }

    @Test
    void resourceAttributesAreFiltered() {
        protobuf.filter(new AttributeFilter(List.of("service.name"), List.of()));
        json.filter(new AttributeFilter(List.of(), List.of("host.name")));
        Recorder viaProtobuf = new Recorder();
        ExportMetricsServiceRequest req = request(Metric.newBuilder().setName("m")
                .setGauge(Gauge.newBuilder().addDataPoints(number(1, kv("host.name", "point-level")))).build());
        byte[] bin = req.toByteArray();
        protobuf.parse(bin, 0, bin.length, viaProtobuf);
        // Only resource attributes are filtered; a point attribute of the same name stays.
        assertThat(viaProtobuf.samples).containsExactly(Sample.of("m",
                Map.of("service.name", "checkout", "team", "payments", "host.name", "point-level"), T_MICROS, 1));
    }

    private static Map<String, String> with(Map<String, String> base, String k, String v) {
        Map<String, String> m = new LinkedHashMap<>(base);
        m.put(k, v);
        return m;
    }
}
