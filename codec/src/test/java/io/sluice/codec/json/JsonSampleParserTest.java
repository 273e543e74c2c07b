package io.sluice.codec.json;

import io.sluice.codec.ParseError;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.sluice.codec.SampleSink.NO_STEP;
import static io.sluice.codec.SampleSink.NO_TIME;
import static org.assertj.core.api.Assertions.assertThat;

/** Golden documents: the native shape, the API performance datagram, and what each field accepts. */
class JsonSampleParserTest {
    private final JsonSampleParser parser = new JsonSampleParser();

    private Recorder parse(String json) {
        Recorder r = new Recorder();
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(b, 0, b.length, r)).isEqualTo(r.samples.size());
        return r;
    }

    private Sample only(String json) {
        Recorder r = parse(json);
        assertThat(r.errors).as("errors of %s", json).isEmpty();
        assertThat(r.samples).as("samples of %s", json).hasSize(1);
        return r.samples.get(0);
    }

    private long timeOf(String time) {
        return only("{\"metric\":\"m\",\"value\":1,\"time\":" + time + "}").time();
    }

    @Test
    void nativeSamplesDocument() {
        Recorder r = parse("""
                {"samples":[
                  {"metric":"loss","tags":{"run_id":"r1","model":"small"},"time":"2024-11-22T12:00:00.123456Z","value":0.25,"step":7},
                  {"metric":"acc","time":1732280000123,"value":1}
                ]}""");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(
                new Sample("loss", Map.of("run_id", "r1", "model", "small"), 1_732_276_800_123_456L, 0.25, 7),
                new Sample("acc", Map.of(), 1_732_280_000_123_000L, 1, NO_STEP));
    }

    @Test
    void aSingleSampleObjectAndABareArrayAreAccepted() {
        assertThat(only("{\"metric\":\"m\",\"value\":2}")).isEqualTo(Sample.of("m", Map.of(), NO_TIME, 2));
        Recorder r = parse("[{\"metric\":\"a\",\"value\":1},{\"metric\":\"b\",\"value\":2}]");
        assertThat(r.samples).extracting(Sample::metric).containsExactly("a", "b");
        assertThat(parse("[]").samples).isEmpty();
        assertThat(parse("{\"samples\":[]}").errors).isEmpty();
    }

    @Test
    void membersMayComeInAnyOrderAndUnknownOnesAreIgnoredWhateverTheyHold() {
        Sample s = only("{\"extra\":{\"deep\":[1,{\"x\":[]}]},\"value\":3,\"note\":null,\"tags\":{\"h\":\"a\"},\"metric\":\"m\",\"more\":[true]}");
        assertThat(s).isEqualTo(Sample.of("m", Map.of("h", "a"), NO_TIME, 3));
        // Beside "samples", the top-level members are ignored, before or after it.
        Recorder r = parse("{\"metric\":\"ignored\",\"samples\":[{\"metric\":\"a\",\"value\":1}],\"value\":9,\"tags\":{\"x\":\"y\"}}");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(Sample.of("a", Map.of(), NO_TIME, 1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "\"2024-11-22T12:00:00Z\"|1732276800000000",
            "\"2024-11-22t12:00:00z\"|1732276800000000",
            "\"2024-11-22 12:00:00Z\"|1732276800000000",
            "\"2024-11-22T14:00:00+02:00\"|1732276800000000",
            "\"2024-11-22T06:30:00-05:30\"|1732276800000000",
            "\"2024-11-22T12:00:00.5Z\"|1732276800500000",
            "\"2024-11-22T12:00:00.123456789Z\"|1732276800123456",
            "\"1969-12-31T23:59:59.9999999Z\"|-1",
            "\"2016-12-31T23:59:60Z\"|1483228800000000",
            "\"2024-02-29T00:00:00Z\"|1709164800000000",
            "1732280000123|1732280000123000",
            "1.5|1500",
            "-1000|-1000000",
            "1.732280000123456e12|1732280000123456",
            "0|0",
            "null|" + Long.MIN_VALUE,
    })
    void timeIsRfc3339OrEpochMilliseconds(String time, long micros) {
        assertThat(timeOf(time)).isEqualTo(micros);
    }

    @Test
    void withoutTimeOrStepTheSampleHasNoTimeAndNoStep() {
        Sample s = only("{\"metric\":\"m\",\"value\":1,\"step\":null}");
        assertThat(s.time()).isEqualTo(NO_TIME);
        assertThat(s.step()).isEqualTo(NO_STEP);
        assertThat(only("{\"metric\":\"m\",\"value\":1,\"step\":-3}").step()).isEqualTo(-3);
    }

    @Test
    void valuesAreAnyJsonNumber() {
        assertThat(only("{\"metric\":\"m\",\"value\":-2}").value()).isEqualTo(-2.0);
        assertThat(only("{\"metric\":\"m\",\"value\":1.5e-3}").value()).isEqualTo(0.0015);
        assertThat(only("{\"metric\":\"m\",\"value\":0.30000000000000004}").value()).isEqualTo(0.30000000000000004);
        assertThat(only("{\"metric\":\"m\",\"value\":100000000000000000000}").value()).isEqualTo(1e20);
    }

    @Test
    void tagValuesThatAreNumbersOrBooleansAreTakenAsWrittenAndNullIsNoTag() {
        Sample s = only("{\"metric\":\"m\",\"value\":1,\"tags\":{\"gpu\":0,\"lr\":1.50,\"spot\":true,\"gone\":null,\"empty\":\"\"}}");
        assertThat(s.tags()).containsOnly(Map.entry("gpu", "0"), Map.entry("lr", "1.50"), Map.entry("spot", "true"),
                Map.entry("empty", ""));
    }

    @Test
    void jsonEscapesAndUnicodeReachTheKeyAsUtf8() {
        Sample s = only("{\"metric\":\"temp\\u00e9rature \\\"\\u4e2d\\\"\",\"value\":1,\"tags\":{\"lieu\\n\":\"caf\u00e9 \\ud83d\\ude00\"}}");
        assertThat(s.metric()).isEqualTo("température \"中\"");
        assertThat(s.tags()).containsExactly(Map.entry("lieu\n", "café 😀"));
    }

    @Test
    void tagsInAnyOrderGiveTheSameSeries() {
        Recorder r = parse("[{\"metric\":\"m\",\"value\":1,\"tags\":{\"b\":\"2\",\"a\":\"1\"}},"
                + "{\"metric\":\"m\",\"value\":2,\"tags\":{\"a\":\"1\",\"b\":\"2\"}}]");
        assertThat(r.keys.get(0)).isEqualTo(r.keys.get(1)).isEqualTo(SeriesKey.of("m", Map.of("a", "1", "b", "2")));
    }

    @Test
    void aRepeatedMemberKeepsItsLastValue() {
        Sample s = only("{\"metric\":\"a\",\"value\":1,\"metric\":\"b\",\"value\":2,\"tags\":{\"x\":\"1\"},\"tags\":{\"y\":\"2\"}}");
        assertThat(s).isEqualTo(Sample.of("b", Map.of("y", "2"), NO_TIME, 2));
    }

    @Test
    void apiPerformanceDatagramAsTheGoServiceSendsIt() {
        Sample s = only("{\"route\":\"/health\",\"method\":\"GET\",\"time\":150.2,\"status\":200}");
        assertThat(s).isEqualTo(Sample.of(JsonSampleParser.API_METRIC,
                Map.of("route", "/health", "method", "GET", "status", "200"), NO_TIME, 150.2));
    }

    @Test
    void apiDatagramsInAnArrayWithTimestamps() {
        Recorder r = parse("[{\"route\":\"/a\",\"method\":\"POST\",\"time\":3,\"status\":500,\"timestamp\":\"2025-01-15T12:00:00Z\"},"
                + "{\"route\":\"/b\",\"method\":\"GET\",\"time\":4,\"status\":\"201\",\"timestamp\":1736942400000}]");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(
                Sample.of("api_response_time", Map.of("route", "/a", "method", "POST", "status", "500"), 1_736_942_400_000_000L, 3),
                Sample.of("api_response_time", Map.of("route", "/b", "method", "GET", "status", "201"), 1_736_942_400_000_000L, 4));
    }

    @Test
    void anApiDatagramWithoutMethodOrStatusKeepsTheGoZeroValueForMethodAndNoStatus() {
        assertThat(only("{\"route\":\"/x\",\"time\":1}").tags()).containsExactly(Map.entry("method", ""), Map.entry("route", "/x"));
        assertThat(only("{\"route\":\"/x\",\"time\":1,\"status\":-1}").tags()).containsEntry("status", "-1");
    }

    @Test
    void metricDecidesTheShapeAndTagsAddToAnApiDatagram() {
        // With "metric" the element is native: "route" is then an unknown member and "time" a time.
        assertThat(only("{\"metric\":\"m\",\"route\":\"/x\",\"time\":5,\"value\":1}"))
                .isEqualTo(Sample.of("m", Map.of(), 5000, 1));
        assertThat(only("{\"route\":\"/x\",\"method\":\"GET\",\"time\":1,\"tags\":{\"host\":\"h1\"}}").tags())
                .containsOnly(Map.entry("route", "/x"), Map.entry("method", "GET"), Map.entry("host", "h1"));
    }

    @Test
    void nativeAndApiElementsMayShareAnArray() {
        Recorder r = parse("[{\"metric\":\"m\",\"value\":1},{\"route\":\"/x\",\"method\":\"GET\",\"time\":2}]");
        assertThat(r.samples).extracting(Sample::metric).containsExactly("m", "api_response_time");
    }

    @Test
    void elementNamesTheElementOfEachSampleAsItIsEmitted() {
        List<Integer> at = new ArrayList<>();
        SampleSink sink = new SampleSink() {
            @Override
            public void sample(SeriesKey key, long timeMicros, double value, long step) {
                at.add(parser.element());
            }

            @Override
            public void error(ParseError error) {
                at.add(-parser.element());
            }
        };
        byte[] b = "{\"samples\":[{\"metric\":\"a\",\"value\":1},{\"value\":2},{\"metric\":\"c\",\"value\":3}]}"
                .getBytes(StandardCharsets.UTF_8);
        parser.parse(b, 0, b.length, sink);
        assertThat(at).containsExactly(1, -2, 3);
    }

    @Test
    void namesAtTheirLimitsAreAccepted() {
        String name = "x".repeat(SeriesKey.MAX_NAME_BYTES);
        StringBuilder tags = new StringBuilder("\"" + name + "\":\"" + "v".repeat(SeriesKey.MAX_TAG_VALUE_BYTES) + "\"");
        for (int i = 1; i < SeriesKey.MAX_TAGS; i++) {
            tags.append(",\"t").append(i).append("\":\"v\"");
        }
        Sample s = only("{\"metric\":\"" + name + "\",\"value\":1,\"tags\":{" + tags + "}}");
        assertThat(s.metric()).isEqualTo(name);
        assertThat(s.tags()).hasSize(SeriesKey.MAX_TAGS);
    }

    @Test
    void theParserIsReusableWithoutLeftOverState() {
        parse("{\"metric\":\"a\",\"value\":1,\"tags\":{\"x\":\"1\"},\"step\":3,\"time\":5}");
        parse("[{\"metric\":\"bad\",\"tags\":{\"y\":\"2\"}}, {\"route\":\"/r\",\"time\":1,\"timestamp\":7}]");
        parse("{\"samples\":[{\"metric\":\"a\",\"value\":1}, {\"metric\":");
        Recorder r = parse("{\"metric\":\"b\",\"value\":2}");
        assertThat(r.samples).containsExactly(Sample.of("b", Map.of(), NO_TIME, 2));
        assertThat(parser.element()).isEqualTo(1);
    }

    @Test
    void parsesFromAnOffsetWithinALargerBuffer() {
        byte[] b = "XXX{\"metric\":\"m\",\"value\":7}YYY".getBytes(StandardCharsets.UTF_8);
        Recorder r = new Recorder();
        parser.parse(b, 3, b.length - 6, r);
        assertThat(r.samples).containsExactly(Sample.of("m", Map.of(), NO_TIME, 7));
        b = "XXX[{\"metric\":\"m\"}]YYY".getBytes(StandardCharsets.UTF_8);
        r = new Recorder();
        parser.parse(b, 3, b.length - 6, r);
        assertThat(r.errors).containsExactly(new ParseError(1, 2, "[0]: missing \"value\"", "{\"metric\":\"m\"}"));
    }
}
