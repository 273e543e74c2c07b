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
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Each error path: one error per bad element, naming it and the member, the good elements kept. */
class JsonErrorsTest {
    private static final String GOOD = "{\"metric\":\"ok\",\"value\":1}";
    private final JsonSampleParser parser = new JsonSampleParser();

    private Recorder parse(String json) {
        Recorder r = new Recorder();
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(b, 0, b.length, r)).isEqualTo(r.samples.size());
        return r;
    }

    private ParseError onlyError(String json) {
        Recorder r = parse(json);
        assertThat(r.errors).as("errors of %s", json).hasSize(1);
        return r.errors.get(0);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"value\":1}|missing \"metric\"|1",
            "{}|missing \"metric\"|1",
            "{\"metric\":\"m\"}|missing \"value\"|1",
            "{\"metric\":\"m\",\"value\":\"1\"}|value: must be a number|23",
            "{\"metric\":\"m\",\"value\":true}|value: must be a number|23",
            "{\"metric\":\"m\",\"value\":null}|value: must be a number|23",
            "{\"metric\":\"m\",\"value\":{\"v\":1}}|value: must be a number|23",
            "{\"metric\":\"m\",\"value\":1e999}|value: out of range|1",
            "{\"metric\":\"m\",\"value\":1,\"step\":1.5}|step: must be an integer|32",
            "{\"metric\":\"m\",\"value\":1,\"step\":\"3\"}|step: must be an integer|32",
            "{\"metric\":\"m\",\"value\":1,\"step\":99999999999999999999}|step: out of range|32",
            "{\"metric\":\"m\",\"value\":1,\"step\":-9223372036854775808}|step: out of range|32",
            "{\"metric\":\"m\",\"value\":1,\"time\":\"yesterday\"}|time: not RFC 3339 or epoch milliseconds|32",
            "{\"metric\":\"m\",\"value\":1,\"time\":\"2024-02-30T00:00:00Z\"}|time: not RFC 3339 or epoch milliseconds|32",
            "{\"metric\":\"m\",\"value\":1,\"time\":\"2024-11-22T12:00:00\"}|time: not RFC 3339 or epoch milliseconds|32",
            "{\"metric\":\"m\",\"value\":1,\"time\":\"2024-11-22\"}|time: not RFC 3339 or epoch milliseconds|32",
            "{\"metric\":\"m\",\"value\":1,\"time\":[1]}|time: not RFC 3339 or epoch milliseconds|32",
            "{\"metric\":\"m\",\"value\":1,\"time\":true}|time: not RFC 3339 or epoch milliseconds|32",
            "{\"metric\":\"m\",\"value\":1,\"time\":1e300}|time: out of range|32",
            "{\"metric\":\"m\",\"value\":1,\"time\":9223372036854775807}|time: out of range|32",
            "{\"metric\":\"m\",\"value\":1,\"tags\":[\"a\"]}|tags: must be an object|32",
            "{\"metric\":\"m\",\"value\":1,\"tags\":\"a\"}|tags: must be an object|32",
            "{\"metric\":\"m\",\"value\":1,\"tags\":{\"a\":{\"b\":1}}}|tags.a: must be a string, number or boolean|37",
            "{\"metric\":\"m\",\"value\":1,\"tags\":{\"a\":[]}}|tags.a: must be a string, number or boolean|37",
            "{\"metric\":\"m\",\"value\":1,\"tags\":{\"a\":\"1\",\"a\":\"2\"}}|tags.a: duplicate key|45",
            "{\"metric\":\"m\",\"value\":1,\"tags\":{\"\":\"1\"}}|tags: empty key|36",
            "{\"metric\":{},\"value\":1}|metric: must be a string|11",
            "{\"metric\":5,\"value\":1}|metric: must be a string|11",
            "{\"metric\":\"\",\"value\":1}|metric: empty|1",
            "7|expected an object|1",
            "[{}]|expected an object|1",
            "null|expected an object|1",
            "{\"route\":\"/x\",\"method\":\"GET\"}|missing \"time\" (the call's duration in milliseconds)|1",
            "{\"route\":\"/x\",\"time\":\"1\"}|time: must be a number of milliseconds|22",
            "{\"route\":\"/x\",\"time\":1e999}|time: out of range|22",
            "{\"route\":\"/x\",\"time\":1,\"timestamp\":\"noon\"}|timestamp: not RFC 3339 or epoch milliseconds|36",
            "{\"route\":5,\"time\":1}|route: must be a string|10",
            "{\"route\":\"\",\"time\":1}|route: empty|1",
            "{\"route\":\"/x\",\"time\":1,\"status\":2.5}|status: must be an integer or a string|33",
            "{\"route\":\"/x\",\"time\":1,\"method\":7}|method: must be a string|33",
            "{\"route\":\"/x\",\"time\":1,\"tags\":{\"route\":\"/y\"}}|tags.route: given both in tags and as \"route\"|1",
    })
    void eachBadElementIsOneErrorAndTheOthersStillCount(String bad, String reason, int column) {
        String doc = "[" + GOOD + "," + bad + "," + GOOD + "]";
        Recorder r = parse(doc);
        assertThat(r.errors).as(doc).hasSize(1);
        ParseError e = r.errors.get(0);
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.reason()).isEqualTo("[1]: " + reason);
        assertThat(e.position()).as("byte position in the document").isEqualTo(GOOD.length() + 2 + column);
        assertThat(e.text()).isEqualTo(bad);
        assertThat(r.samples).extracting(Sample::value).containsExactly(1.0, 1.0);
    }

    @Test
    void theReasonNamesTheElementAsJsonPathWouldAndALoneObjectNeedsNoName() {
        ParseError e = onlyError("{\"samples\":[" + GOOD + "," + GOOD + ",{\"metric\":\"m\"}]}");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.reason()).isEqualTo("samples[2]: missing \"value\"");
        ParseError lone = onlyError("{\"metric\":\"m\",\"time\":\"noon\",\"value\":1}");
        assertThat(lone).isEqualTo(new ParseError(1, 22, "time: not RFC 3339 or epoch milliseconds",
                "{\"metric\":\"m\",\"time\":\"noon\",\"value\":1}"));
    }

    @Test
    void everyBadElementIsReportedInOrder() {
        Recorder r = parse("[{\"value\":1}," + GOOD + ",5,{\"metric\":\"m\"}]");
        assertThat(r.errors).extracting(ParseError::line).containsExactly(1, 3, 4);
        assertThat(r.samples).hasSize(1);
    }

    @Test
    void aBadElementAfterTheBatchHasGrownIsReportedAndTheGoodOnesKept() {
        // Before the fix, the 17th element grew the batch's arrays while its error was stored.
        for (int good : new int[] {15, 16, 17, 31, 32, 33, 1000}) {
            StringBuilder doc = new StringBuilder("{\"samples\":[");
            for (int i = 0; i < good; i++) {
                doc.append("{\"metric\":\"a\",\"value\":").append(i).append("},");
            }
            doc.append("{\"value\":1}]}");
            Recorder r = parse(doc.toString());
            assertThat(r.samples).as("%d good", good).hasSize(good);
            assertThat(r.errors).hasSize(1);
            assertThat(r.errors.get(0).line()).isEqualTo(good + 1);
            // The same parser again: nothing left over.
            assertThat(parse(GOOD).samples).hasSize(1);
        }
    }

    @Test
    void aDocumentThatIsNotJsonIsOneErrorAndNoSamples() {
        ParseError e = onlyError("{not json");
        assertThat(e.reason()).startsWith("malformed JSON: ");
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.position()).isEqualTo(2);
        assertThat(e.text()).isEqualTo("{not json");
        assertThat(onlyError("hello").reason()).startsWith("malformed JSON: ");
        assertThat(onlyError("{\"metric\":\"m\",\"value\":NaN}").reason()).startsWith("malformed JSON: ");
        assertThat(onlyError("\u00ff\u00fe").reason()).startsWith("malformed JSON: ");
    }

    @Test
    void aDocumentThatBreaksOffGivesOneErrorAndNoneOfItsSamples() {
        Recorder r = parse("{\"samples\":[" + GOOD + ",{\"metric\":\"b\",\"val");
        assertThat(r.samples).isEmpty();
        assertThat(r.errors).hasSize(1);
        assertThat(r.errors.get(0).line()).as("the element it broke in").isEqualTo(2);
        assertThat(r.errors.get(0).reason()).startsWith("malformed JSON: ");
        assertThat(parse("[" + GOOD + ",").samples).isEmpty();
    }

    @Test
    void aRootThatIsNoObjectOrArrayIsRefused() {
        assertThat(onlyError("42")).isEqualTo(new ParseError(1, 1, "expected a JSON object or array", "42"));
        assertThat(onlyError("  \"x\"").position()).isEqualTo(3);
        assertThat(onlyError("").reason()).isEqualTo("empty document");
        assertThat(onlyError(" \n ").reason()).isEqualTo("empty document");
    }

    @Test
    void contentAfterTheDocumentRefusesAllOfIt() {
        Recorder r = parse(GOOD + " " + GOOD);
        assertThat(r.samples).isEmpty();
        assertThat(r.errors).containsExactly(new ParseError(1, GOOD.length() + 2,
                "unexpected content after the JSON document", GOOD + " " + GOOD));
    }

    @Test
    void samplesThatIsNotAnArrayIsAnError() {
        assertThat(onlyError("{\"samples\":{\"metric\":\"m\",\"value\":1}}"))
                .extracting(ParseError::reason, ParseError::position).containsExactly("samples: must be an array", 12);
    }

    @Test
    void nestingDeeperThanTheLimitIsMalformed() {
        String deep = "[".repeat(40) + "]".repeat(40);
        assertThat(onlyError("{\"metric\":\"m\",\"value\":1,\"x\":" + deep + "}").reason()).startsWith("malformed JSON: ");
        String fine = "[".repeat(20) + "]".repeat(20);
        assertThat(parse("{\"metric\":\"m\",\"value\":1,\"x\":" + fine + "}").samples).hasSize(1);
    }

    @Test
    void namesPastTheirLimitsAreRefused() {
        String longName = "x".repeat(SeriesKey.MAX_NAME_BYTES + 1);
        assertThat(onlyError("{\"metric\":\"" + longName + "\",\"value\":1}").reason()).isEqualTo("metric: longer than 256 bytes");
        // The limit is in UTF-8 bytes: 129 two-byte characters are 258 bytes.
        assertThat(onlyError("{\"metric\":\"" + "é".repeat(129) + "\",\"value\":1}").reason()).isEqualTo("metric: longer than 256 bytes");
        assertThat(onlyError("{\"metric\":\"m\",\"value\":1,\"tags\":{\"" + longName + "\":\"v\"}}").reason())
                .isEqualTo("tags: key longer than 256 bytes");
        assertThat(onlyError("{\"metric\":\"m\",\"value\":1,\"tags\":{\"t\":\"" + "v".repeat(1025) + "\"}}").reason())
                .isEqualTo("tags.t: longer than 1024 bytes");
        assertThat(onlyError("{\"route\":\"" + "r".repeat(1025) + "\",\"time\":1}").reason())
                .isEqualTo("route: longer than 1024 bytes");
        ParseError e = onlyError("{\"metric\":\"" + longName + "\",\"value\":1}");
        assertThat(e.text()).hasSize(ParseError.MAX_TEXT);
    }

    @Test
    void moreThanSixtyFourTagsAreRefusedCountingThoseOfAnApiDatagram() {
        StringBuilder tags = new StringBuilder();
        for (int i = 0; i < SeriesKey.MAX_TAGS; i++) {
            tags.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
        }
        assertThat(parse("{\"metric\":\"m\",\"value\":1,\"tags\":{" + tags + "}}").errors).isEmpty();
        assertThat(onlyError("{\"metric\":\"m\",\"value\":1,\"tags\":{" + tags + ",\"one_more\":\"v\"}}").reason())
                .isEqualTo("tags: more than 64");
        assertThat(onlyError("{\"route\":\"/x\",\"time\":1,\"tags\":{" + tags + "}}").reason())
                .isEqualTo("tags: more than 64, counting route, method and status");
    }

    @Test
    void anyMutatedDocumentGivesEachElementASampleOrOneErrorNeverAnException() {
        long seed = Long.getLong("sluice.seed", 0x5EED_2024_1122L);
        Random r = new Random(seed);
        String[] elements = {GOOD, "{\"metric\":\"m\",\"tags\":{\"h\":\"a\",\"n\":1},\"time\":\"2024-11-22T12:00:00.5Z\",\"value\":-1.5e3,\"step\":3}",
                "{\"route\":\"/health\",\"method\":\"GET\",\"time\":150.2,\"status\":200,\"timestamp\":1736942400000}",
                "{\"metric\":\"\\u00e9\",\"value\":1,\"time\":1.5,\"x\":[{\"y\":null}]}"};
        byte[] alphabet = "{}[]\":,.-+0123456789eEtrufalsn \\/Z:T".getBytes(StandardCharsets.US_ASCII);
        Map<Integer, Integer> outcomes = new HashMap<>();
        int[] totals = new int[2];
        SampleSink sink = new SampleSink() {
            @Override
            public void sample(SeriesKey key, long timeMicros, double value, long step) {
                outcomes.merge(parser.element(), 1, Integer::sum);
                assertThat(Double.isFinite(value)).isTrue();
                totals[0]++;
            }

            @Override
            public void error(ParseError error) {
                outcomes.merge(error.line(), 1, Integer::sum);
                assertThat(error.position()).isPositive();
                assertThat(error.text().length()).isLessThanOrEqualTo(ParseError.MAX_TEXT);
                totals[1]++;
            }
        };
        for (int round = 0; round < 20_000; round++) {
            StringBuilder doc = new StringBuilder(r.nextBoolean() ? "{\"samples\":[" : "[");
            for (int i = r.nextInt(4); i >= 0; i--) {
                doc.append(elements[r.nextInt(elements.length)]).append(i > 0 ? "," : "");
            }
            doc.append(doc.charAt(0) == '{' ? "]}" : "]");
            byte[] b = doc.toString().getBytes(StandardCharsets.UTF_8);
            for (int edits = r.nextInt(3); edits > 0; edits--) {
                b[r.nextInt(b.length)] = r.nextInt(30) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
            }
            outcomes.clear();
            parser.parse(b, 0, b.length, sink);
            assertThat(outcomes.values()).as("seed %d, round %d: %s", seed, round, new String(b, StandardCharsets.UTF_8))
                    .allMatch(n -> n == 1);
        }
        assertThat(totals[0]).as("samples").isGreaterThan(10_000);
        assertThat(totals[1]).as("errors").isGreaterThan(5_000);
    }
}
