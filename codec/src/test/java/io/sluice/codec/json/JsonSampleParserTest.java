package io.sluice.codec.json;

import io.sluice.codec.ParseError;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import io.sluice.codec.SampleSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonSampleParserTest {
    private final JsonSampleParser parser = new JsonSampleParser();

    private Recorder parse(String json) {
        Recorder r = new Recorder();
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(b, 0, b.length, r)).isEqualTo(r.samples.size());
        return r;
    }

    @Test
    void nativeSamplesDocument() {
        Recorder r = parse("{\"samples\":[{\"metric\":\"loss\",\"tags\":{\"run_id\":\"r1\"},\"time\":\"2024-11-22T12:00:00.123456Z\","
                + "\"value\":0.25,\"step\":7},{\"metric\":\"acc\",\"time\":1732280000123,\"value\":1}]}");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(
                new Sample("loss", Map.of("run_id", "r1"), 1_732_276_800_123_456L, 0.25, 7),
                new Sample("acc", Map.of(), 1_732_280_000_123_000L, 1, SampleSink.NO_STEP));
    }

    @Test
    void aSingleObjectABareArrayOffsetsAndFractionalMillis() {
        assertThat(parse("{\"metric\":\"m\",\"value\":2}").samples).containsExactly(
                new Sample("m", Map.of(), SampleSink.NO_TIME, 2, SampleSink.NO_STEP));
        Recorder r = parse("[{\"metric\":\"a\",\"value\":1,\"time\":\"2024-11-22T14:00:00+02:00\"},"
                + "{\"metric\":\"b\",\"value\":2,\"time\":1.5}]");
        assertThat(r.samples).extracting(Sample::time).containsExactly(1_732_276_800_000_000L, 1500L);
    }

    @Test
    void tagValuesThatAreNumbersOrBooleansBecomeText() {
        Recorder r = parse("{\"metric\":\"m\",\"value\":1,\"tags\":{\"gpu\":0,\"spot\":true}}");
        assertThat(r.samples.get(0).tags()).containsEntry("gpu", "0").containsEntry("spot", "true");
    }

    @Test
    void apiPerformanceDatagram() {
        Recorder r = parse("{\"route\":\"/health\",\"method\":\"GET\",\"time\":150.2,\"status\":200}");
        assertThat(r.samples).containsExactly(new Sample(JsonSampleParser.API_METRIC,
                Map.of("route", "/health", "method", "GET", "status", "200"), SampleSink.NO_TIME, 150.2, SampleSink.NO_STEP));
        Recorder withTs = parse("[{\"route\":\"/a\",\"method\":\"POST\",\"time\":3,\"status\":500,"
                + "\"timestamp\":\"2025-01-15T12:00:00Z\"},{\"route\":\"/b\",\"method\":\"GET\",\"time\":4,\"status\":200,"
                + "\"timestamp\":1736942400000}]");
        assertThat(withTs.samples).extracting(Sample::time).containsExactly(1_736_942_400_000_000L, 1_736_942_400_000_000L);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"value\":1}|metric: missing",
            "{\"metric\":\"m\"}|value: missing",
            "{\"metric\":\"m\",\"value\":\"1\"}|value: must be a number",
            "{\"metric\":\"m\",\"value\":1,\"step\":1.5}|step: must be an integer",
            "{\"metric\":\"m\",\"value\":1,\"time\":\"yesterday\"}|time: 'yesterday' is not RFC 3339",
            "{\"metric\":\"m\",\"value\":1,\"time\":[1]}|time: must be an RFC 3339 string or epoch milliseconds",
            "{\"metric\":\"m\",\"value\":1,\"tags\":[\"a\"]}|tags: must be an object of strings",
            "{\"metric\":\"m\",\"value\":1,\"tags\":{\"a\":{\"b\":1}}}|tags.a: must be a string",
            "{\"metric\":{},\"value\":1}|metric: must be a string",
            "{\"route\":\"/x\",\"method\":\"GET\"}|time: missing or not a number",
            "{\"route\":\"/x\",\"time\":1,\"timestamp\":\"noon\"}|timestamp: 'noon' is not RFC 3339",
    })
    void eachBadElementIsOneErrorAndTheOthersStillCount(String bad, String reason) {
        Recorder r = parse("[{\"metric\":\"ok\",\"value\":1}," + bad + ",{\"metric\":\"ok\",\"value\":3}]");
        assertThat(r.errors).hasSize(1);
        ParseError e = r.errors.get(0);
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.reason()).startsWith(reason);
        assertThat(r.samples).extracting(Sample::value).containsExactly(1.0, 3.0);
    }

    @Test
    void notJsonIsOneErrorAndNoSamples() {
        Recorder r = parse("{not json");
        assertThat(r.samples).isEmpty();
        assertThat(r.errors).hasSize(1);
        assertThat(r.errors.get(0).reason()).startsWith("malformed JSON");
        assertThat(parse("42").errors.get(0).reason()).isEqualTo("expected a JSON object or array");
    }

    @Test
    void truncatedArrayKeepsTheElementsBeforeTheBreak() {
        Recorder r = parse("{\"samples\":[{\"metric\":\"a\",\"value\":1},{\"metric\":\"b\",\"val");
        assertThat(r.samples).extracting(Sample::metric).containsExactly("a");
        assertThat(r.errors).hasSize(1);
        assertThat(r.errors.get(0).line()).isEqualTo(2);
    }

    @Test
    void longNamesAndTooManyTagsAreRefused() {
        assertThat(parse("{\"metric\":\"" + "x".repeat(257) + "\",\"value\":1}").errors.get(0).reason())
                .contains("longer than 256");
        StringBuilder tags = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            tags.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
        }
        assertThat(parse("{\"metric\":\"m\",\"value\":1,\"tags\":{" + tags + "}}").errors.get(0).reason())
                .contains("more than 64");
    }

    @Test
    void theParserIsReusableWithoutLeftOverState() {
        parse("{\"metric\":\"a\",\"value\":1,\"tags\":{\"x\":\"1\"},\"step\":3}");
        Recorder r = parse("{\"metric\":\"b\",\"value\":2}");
        assertThat(r.samples).containsExactly(new Sample("b", Map.of(), SampleSink.NO_TIME, 2, SampleSink.NO_STEP));
    }
}
