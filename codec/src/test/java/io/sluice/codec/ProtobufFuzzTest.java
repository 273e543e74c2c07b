package io.sluice.codec;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sluice.codec.otlp.OtlpJsonParser;
import io.sluice.codec.otlp.OtlpProtobufParser;
import io.sluice.codec.prometheus.RemoteWriteParser;
import io.sluice.codec.prometheus.RemoteWriteParser.Version;
import io.sluice.codec.prometheus.SnappyBlock;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mutated golden bodies through the remote write, OTLP and snappy decoders: bits flipped, bytes
 * cut, spliced, repeated, lengths and varints made huge or negative. For every case nothing may
 * throw, the count returned is what the sink got, every error names a line, position and reason,
 * and the next golden body parses as it did at first (no state left over). Reproducible from the
 * seed printed on failure and the case's index.
 */
class ProtobufFuzzTest {
    private static final int CASES = 25_000;

    @Test
    void mutatedBodiesNeverThrowAndLeaveNothingBehind() throws Exception {
        long seed = System.nanoTime();
        byte[] v1 = ProtoWriter.message(w -> {
            for (int i = 0; i < 5; i++) {
                int n = i;
                w.message(1, s -> s.message(1, l -> l.string(1, "__name__").string(2, "up"))
                        .message(1, l -> l.string(1, "job").string(2, "j" + n))
                        .message(2, p -> p.doubleField(1, n).int64(2, 1_732_280_000_000L))
                        .message(3, e -> e.doubleField(2, 1)));
            }
            w.message(3, m -> m.uint32(1, 1).string(2, "up"));
        });
        byte[] v2 = ProtoWriter.message(w -> {
            w.string(4, "").string(4, "__name__").string(4, "up").string(4, "job").string(4, "j");
            for (int i = 0; i < 5; i++) {
                int n = i;
                w.message(5, s -> s.packedVarints(1, 1, 2, 3, 4).message(2, p -> p.doubleField(1, n).int64(2, 1_732_280_000_000L)));
            }
        });
        byte[] otlp = otlpGolden().toByteArray();
        byte[] json = com.google.protobuf.util.JsonFormat.printer().printingEnumsAsInts().print(otlpGolden())
                .getBytes(StandardCharsets.UTF_8);

        RemoteWriteParser rw = new RemoteWriteParser();
        OtlpProtobufParser pb = new OtlpProtobufParser();
        OtlpJsonParser js = new OtlpJsonParser();
        SnappyBlock snappy = new SnappyBlock();
        byte[] snappyGolden = Snappy.compress(v1);

        List<Target> targets = List.of(
                new Target("remote write 1.0", v1, b -> parse(b, (buf, r) -> rw.parse(buf, 0, buf.length, Version.V1, r))),
                new Target("remote write 2.0", v2, b -> parse(b, (buf, r) -> rw.parse(buf, 0, buf.length, Version.V2, r))),
                new Target("otlp protobuf", otlp, b -> parse(b, (buf, r) -> pb.parse(buf, 0, buf.length, r))),
                new Target("otlp json", json, b -> parse(b, (buf, r) -> js.parse(buf, 0, buf.length, r))),
                new Target("snappy + remote write", snappyGolden, b -> {
                    int n = snappy.decode(b, 0, b.length, 1 << 20);
                    if (n < 0) {
                        assertThat(snappy.reason()).isNotBlank();
                        return new Recorder();
                    }
                    byte[] plain = java.util.Arrays.copyOf(snappy.output(), n);
                    return parse(plain, (buf, r) -> rw.parse(buf, 0, buf.length, Version.V1, r));
                }));
        Random random = new Random(seed);
        for (Target t : targets) {
            Recorder first = t.run.apply(t.golden);
            assertThat(first.errors).as(t.name).isEmpty();
            assertThat(first.samples).as(t.name).isNotEmpty();
            for (int i = 0; i < CASES; i++) {
                byte[] input = mutate(t.golden, random);
                try {
                    Recorder r = t.run.apply(input);
                    for (ParseError e : r.errors) {
                        assertThat(e.line()).isPositive();
                        assertThat(e.position()).isPositive();
                        assertThat(e.reason()).isNotBlank();
                    }
                    Recorder again = t.run.apply(t.golden);
                    assertThat(again.samples).isEqualTo(first.samples);
                } catch (Throwable e) {
                    throw new AssertionError("fuzz finding [seed=" + seed + ", case=" + i + ", codec=" + t.name + "]", e);
                }
            }
        }
    }

    private record Target(String name, byte[] golden, Function<byte[], Recorder> run) {
    }

    private interface Parse {
        int parse(byte[] buf, Recorder r);
    }

    private static Recorder parse(byte[] body, Parse p) {
        Recorder r = new Recorder();
        int n = p.parse(body, r);
        assertThat(n).as("the count returned is what the sink got").isEqualTo(r.samples.size());
        return r;
    }

    /** One to four mutations of a copy of {@code golden}. */
    static byte[] mutate(byte[] golden, Random random) {
        byte[] b = golden.clone();
        int rounds = 1 + random.nextInt(4);
        for (int k = 0; k < rounds && b.length > 0; k++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b = java.util.Arrays.copyOf(b, at);
                case 2 -> b[at] = (byte) random.nextInt(256);
                case 3 -> b[at] = (byte) 0xFF; // a varint that goes on, or a length past the end
                case 4 -> { // splice a slice of itself elsewhere
                    int from = random.nextInt(b.length);
                    int len = Math.min(b.length - from, 1 + random.nextInt(16));
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, from, out, at, len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
                case 5 -> { // a huge length prefix
                    byte[] out = java.util.Arrays.copyOf(b, b.length + 5);
                    System.arraycopy(b, at, out, at + 5, b.length - at);
                    out[at] = (byte) 0xFF;
                    out[at + 1] = (byte) 0xFF;
                    out[at + 2] = (byte) 0xFF;
                    out[at + 3] = (byte) 0xFF;
                    out[at + 4] = (byte) 0x0F;
                    b = out;
                }
                default -> b[at] = 0;
            }
        }
        return b;
    }

    private static ExportMetricsServiceRequest otlpGolden() {
        long t = 1_732_280_000_000_000_000L;
        KeyValue nested = KeyValue.newBuilder().setKey("nested").setValue(AnyValue.newBuilder().setKvlistValue(
                KeyValueList.newBuilder().addValues(KeyValue.newBuilder().setKey("a").setValue(AnyValue.newBuilder()
                        .setArrayValue(ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setIntValue(1))))))).build();
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("fuzz"))).addAttributes(nested))
                .addScopeMetrics(ScopeMetrics.newBuilder()
                        .addMetrics(Metric.newBuilder().setName("g").setGauge(Gauge.newBuilder()
                                .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsDouble(1))))
                        .addMetrics(Metric.newBuilder().setName("h").setHistogram(Histogram.newBuilder()
                                .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(t).setCount(3).setSum(6)
                                        .addAllExplicitBounds(List.of(1.0, 2.0)).addAllBucketCounts(List.of(1L, 1L, 1L)))))
                        .addMetrics(Metric.newBuilder().setName("e").setExponentialHistogram(ExponentialHistogram.newBuilder()
                                .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(t).setCount(2)
                                        .setScale(3).setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder()
                                                .setOffset(2).addAllBucketCounts(List.of(1L, 1L))))))
                        .addMetrics(Metric.newBuilder().setName("s").setSummary(Summary.newBuilder()
                                .addDataPoints(SummaryDataPoint.newBuilder().setTimeUnixNano(t).setCount(1).setSum(2)
                                        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder()
                                                .setQuantile(0.5).setValue(2))))))).build();
    }
}
