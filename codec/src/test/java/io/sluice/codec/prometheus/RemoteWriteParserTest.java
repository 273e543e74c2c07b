package io.sluice.codec.prometheus;

import io.sluice.codec.ParseError;
import io.sluice.codec.ProtoWriter;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import io.sluice.codec.prometheus.RemoteWriteParser.Version;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.sluice.codec.prometheus.RemoteWrite.label;
import static io.sluice.codec.prometheus.RemoteWrite.sample;
import static io.sluice.codec.prometheus.RemoteWrite.series;
import static org.assertj.core.api.Assertions.assertThat;

class RemoteWriteParserTest {
    private final RemoteWriteParser parser = new RemoteWriteParser();

    private Recorder parse(byte[] body, Version version) {
        Recorder r = new Recorder();
        // Parsed at an offset inside a larger array, as a reused buffer would hold it.
        byte[] padded = new byte[body.length + 7];
        System.arraycopy(body, 0, padded, 3, body.length);
        parser.parse(padded, 3, body.length, version, r);
        return r;
    }

    @Test
    void v1SeriesBecomeSamplesNamedByTheirNameLabel() {
        byte[] body = RemoteWrite.v1(w -> w
                .message(1, series(new String[]{"__name__", "up", "instance", "localhost:9090", "job", "prometheus"},
                        new double[]{1, 0}, new long[]{1_732_280_000_000L, 1_732_280_015_000L}))
                .message(1, series(new String[]{"job", "node", "__name__", "node_load1", "le", ""},
                        new double[]{0.25}, new long[]{1_732_280_000_123L})));
        Recorder r = parse(body, Version.V1);
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(
                Sample.of("up", Map.of("instance", "localhost:9090", "job", "prometheus"), 1_732_280_000_000_000L, 1),
                Sample.of("up", Map.of("instance", "localhost:9090", "job", "prometheus"), 1_732_280_015_000_000L, 0),
                Sample.of("node_load1", Map.of("job", "node"), 1_732_280_000_123_000L, 0.25));
        assertThat(parser.stats().series()).isEqualTo(2);
        assertThat(parser.stats().samples()).isEqualTo(3);
        assertThat(parser.malformed()).isNull();
    }

    @Test
    void labelsMayFollowSamplesInsideASeries() {
        byte[] body = RemoteWrite.v1(w -> w.message(1, s -> s
                .message(2, sample(7, 1_732_280_000_000L))
                .message(1, label("__name__", "m"))
                .message(2, sample(8, 1_732_280_001_000L))
                .message(1, label("a", "b"))));
        assertThat(parse(body, Version.V1).samples).containsExactly(
                Sample.of("m", Map.of("a", "b"), 1_732_280_000_000_000L, 7),
                Sample.of("m", Map.of("a", "b"), 1_732_280_001_000_000L, 8));
    }

    @Test
    void staleMarkersAndOtherNonFiniteValuesAreSkippedAndCounted() {
        double stale = Double.longBitsToDouble(0x7ff0000000000002L);
        byte[] body = RemoteWrite.v1(w -> w.message(1, series(new String[]{"__name__", "m"},
                new double[]{stale, Double.NaN, Double.POSITIVE_INFINITY, 3, Double.NEGATIVE_INFINITY},
                new long[]{1_732_280_000_000L, 1_732_280_000_000L, 1_732_280_000_000L, 1_732_280_000_000L, 1_732_280_000_000L})));
        Recorder r = parse(body, Version.V1);
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(Sample.of("m", Map.of(), 1_732_280_000_000_000L, 3));
        assertThat(parser.stats().staleMarkers()).isEqualTo(1);
        assertThat(parser.stats().nonFinite()).isEqualTo(3);
    }

    @Test
    void exemplarsHistogramsAndMetadataAreCountedNotStored() {
        byte[] body = RemoteWrite.v1(w -> w
                .message(1, s -> s.message(1, label("__name__", "rpc_seconds"))
                        .message(2, sample(1.5, 1_732_280_000_000L))
                        .message(3, e -> e.message(1, label("trace_id", "abc")).doubleField(2, 0.3).int64(3, 1))
                        .message(4, h -> h.uint32(1, 3).doubleField(3, 4.5).sint32(4, 0)))
                .message(1, s -> s.message(1, label("__name__", "rpc_h"))
                        .message(4, h -> h.uint32(1, 2))
                        .message(4, h -> h.uint32(1, 5)))
                .message(3, m -> m.uint32(1, 1).string(2, "rpc_seconds").string(4, "help")));
        Recorder r = parse(body, Version.V1);
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(Sample.of("rpc_seconds", Map.of(), 1_732_280_000_000_000L, 1.5));
        assertThat(parser.stats().exemplars()).isEqualTo(1);
        assertThat(parser.stats().histograms()).isEqualTo(3);
        assertThat(parser.stats().metadata()).isEqualTo(1);
    }

    @Test
    void aBadSeriesIsOneErrorAndTheOthersStillCount() {
        byte[] body = RemoteWrite.v1(w -> w
                .message(1, series(new String[]{"job", "x"}, new double[]{1}, new long[]{1_732_280_000_000L}))
                .message(1, series(new String[]{"__name__", "ok"}, new double[]{2}, new long[]{1_732_280_000_000L}))
                .message(1, series(new String[]{"__name__", "d", "a", "1", "a", "2"}, new double[]{3}, new long[]{1_732_280_000_000L}))
                .message(1, series(new String[]{"__name__", "e", "", "v"}, new double[]{4}, new long[]{1_732_280_000_000L}))
                .message(1, s -> s.message(1, l -> l.string(1, "__name__").bytes(2, new byte[]{'b', (byte) 0xC3}))
                        .message(2, sample(5, 1_732_280_000_000L)))
                .message(1, series(new String[]{"__name__", "n".repeat(257)}, new double[]{6}, new long[]{1_732_280_000_000L}))
                .message(1, series(new String[]{"__name__", "t"}, new double[]{7}, new long[]{Long.MAX_VALUE})));
        Recorder r = parse(body, Version.V1);
        assertThat(r.samples).containsExactly(Sample.of("ok", Map.of(), 1_732_280_000_000_000L, 2));
        assertThat(r.errors).extracting(ParseError::line).containsExactly(1, 3, 4, 5, 6, 7);
        assertThat(r.errors).extracting(ParseError::reason).containsExactly(
                "no __name__ label (the metric name)",
                "label a given twice",
                "a label with an empty name",
                "a label name or value that is not UTF-8",
                "metric name longer than 256 bytes",
                "timestamp " + Long.MAX_VALUE + " ms is out of range");
        assertThat(r.errors.get(0).text()).isEqualTo("{job=\"x\"}");
        assertThat(r.errors.get(1).text()).isEqualTo("d{a=\"1\",a=\"2\"}");
        assertThat(parser.malformed()).isNull();
    }

    @Test
    void unknownFieldsAreSkippedWhateverTheyHold() {
        byte[] body = RemoteWrite.v1(w -> w
                .uint32(2, 1) // Cortex's "source", reserved in prompb
                .message(1, s -> s.message(1, label("__name__", "m")).fixed64(9, 5).string(10, "x")
                        .message(2, p -> p.doubleField(1, 1).int64(2, 1_732_280_000_000L).uint32(7, 1)))
                .string(15, "future"));
        Recorder r = parse(body, Version.V1);
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(Sample.of("m", Map.of(), 1_732_280_000_000_000L, 1));
    }

    @Test
    void malformedBodiesAreOneErrorAndMarkedMalformed() {
        byte[] good = RemoteWrite.v1(w -> w.message(1, series(new String[]{"__name__", "m"}, new double[]{1},
                new long[]{1_732_280_000_000L})));
        byte[][] bad = {
                java.util.Arrays.copyOf(good, good.length - 3),                      // truncated
                ProtoWriter.message(w -> w.uint32(1, 7)),                              // timeseries as a varint
                ProtoWriter.message(w -> w.raw((byte) 0x0A, (byte) 0x7F, (byte) 1)),  // length past the end
                ProtoWriter.message(w -> w.raw((byte) 0x0F)),                          // wire type 7
                ProtoWriter.message(w -> w.message(1, s -> s.message(2, p -> p.int64(1, 5)))), // value as a varint
                "snappy? no".getBytes(),
        };
        for (byte[] b : bad) {
            Recorder r = parse(b, Version.V1);
            assertThat(parser.malformed()).as(java.util.Arrays.toString(b)).isNotNull();
            assertThat(r.errors).hasSize(1);
            assertThat(r.errors.get(0).reason()).startsWith("not a valid prometheus.WriteRequest: ");
        }
        // Nothing is left over for the next body.
        Recorder r = parse(good, Version.V1);
        assertThat(parser.malformed()).isNull();
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).hasSize(1);
    }

    @Test
    void anEmptyBodyIsAnEmptyRequest() {
        Recorder r = parse(new byte[0], Version.V1);
        assertThat(r.samples).isEmpty();
        assertThat(r.errors).isEmpty();
        assertThat(parser.malformed()).isNull();
    }

    @Test
    void v2ResolvesLabelsThroughTheSymbolTable() {
        byte[] body = ProtoWriter.message(w -> w
                .string(4, "").string(4, "__name__").string(4, "http_requests_total").string(4, "code").string(4, "200")
                .string(4, "job").string(4, "api")
                .message(5, s -> s.packedVarints(1, 1, 2, 3, 4, 5, 6)
                        .message(2, sample(10, 1_732_280_000_000L))
                        .message(2, sample(11, 1_732_280_015_000L))
                        .message(5, m -> m.uint32(1, 1).uint32(3, 0).uint32(4, 0))
                        .int64(6, 1_732_270_000_000L))
                .message(5, s -> s.uint32(1, 1).uint32(1, 2).uint32(1, 5).uint32(1, 6) // unpacked refs
                        .message(2, sample(12, 1_732_280_000_000L))
                        .message(4, e -> e.doubleField(2, 1))
                        .message(3, h -> h.uint32(1, 1))));
        Recorder r = parse(body, Version.V2);
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(
                Sample.of("http_requests_total", Map.of("code", "200", "job", "api"), 1_732_280_000_000_000L, 10),
                Sample.of("http_requests_total", Map.of("code", "200", "job", "api"), 1_732_280_015_000_000L, 11),
                Sample.of("http_requests_total", Map.of("job", "api"), 1_732_280_000_000_000L, 12));
        assertThat(parser.stats().samples()).isEqualTo(3);
        assertThat(parser.stats().exemplars()).isEqualTo(1);
        assertThat(parser.stats().histograms()).isEqualTo(1);
        assertThat(parser.stats().metadata()).isEqualTo(1);
    }

    @Test
    void v2SymbolsMayComeAfterTheSeries() {
        byte[] body = ProtoWriter.message(w -> w
                .message(5, s -> s.packedVarints(1, 1, 2).message(2, sample(1, 1_732_280_000_000L)))
                .string(4, "").string(4, "__name__").string(4, "late"));
        assertThat(parse(body, Version.V2).samples).containsExactly(Sample.of("late", Map.of(), 1_732_280_000_000_000L, 1));
    }

    @Test
    void v2BadReferencesRefuseTheirSeries() {
        byte[] body = ProtoWriter.message(w -> w
                .string(4, "").string(4, "__name__").string(4, "m")
                .message(5, s -> s.packedVarints(1, 1, 2, 1).message(2, sample(1, 1_732_280_000_000L)))
                .message(5, s -> s.packedVarints(1, 1, 9).message(2, sample(2, 1_732_280_000_000L)))
                .message(5, s -> s.packedVarints(1, 1, 1L << 33).message(2, sample(3, 1_732_280_000_000L)))
                .message(5, s -> s.packedVarints(1, 1, 2).message(2, sample(4, 1_732_280_000_000L))));
        Recorder r = parse(body, Version.V2);
        assertThat(r.samples).containsExactly(Sample.of("m", Map.of(), 1_732_280_000_000_000L, 4));
        assertThat(r.errors).extracting(ParseError::reason).containsExactly(
                "labels_refs holds 3 references, not name-value pairs",
                "label reference 9 is past the symbol table (3 symbols)",
                "label reference 2147483647 is past the symbol table (3 symbols)");
    }

    @Test
    void aV1BodyReadAsV2HoldsNothing() {
        // The 2.0 message reserves fields 1 to 3 so that a 1.0 body read as 2.0 is empty (types.proto).
        byte[] v1 = RemoteWrite.v1(w -> w.message(1, series(new String[]{"__name__", "m"}, new double[]{1},
                new long[]{1_732_280_000_000L})));
        Recorder r = parse(v1, Version.V2);
        assertThat(r.samples).isEmpty();
        assertThat(parser.stats().series()).isZero();
    }
}
