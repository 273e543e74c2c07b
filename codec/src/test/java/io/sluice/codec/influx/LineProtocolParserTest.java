package io.sluice.codec.influx;

import io.sluice.codec.Precision;
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

import static io.sluice.codec.SampleSink.NO_TIME;
import static org.assertj.core.api.Assertions.assertThat;

/** Golden inputs: one test per grammar rule of line protocol and per mapping decision. */
class LineProtocolParserTest {
    private final LineProtocolParser parser = new LineProtocolParser();

    private Recorder parse(String text) {
        return parse(text, Precision.NANOSECONDS);
    }

    private Recorder parse(String text, Precision p) {
        Recorder r = new Recorder();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int n = parser.parse(b, 0, b.length, p, r);
        assertThat(n).as("returned count").isEqualTo(r.samples.size());
        return r;
    }

    private Sample only(String text) {
        Recorder r = parse(text);
        assertThat(r.errors).as("errors of %s", text).isEmpty();
        assertThat(r.samples).as("samples of %s", text).hasSize(1);
        return r.samples.get(0);
    }

    @Test
    void eachNumericFieldBecomesMeasurementUnderscoreFieldWithTheLineTags() {
        Recorder r = parse("cpu,host=a,region=eu usage_user=12.5,usage_system=3i,up=true 1732280000", Precision.SECONDS);
        Map<String, String> tags = Map.of("host", "a", "region", "eu");
        assertThat(r.samples).containsExactly(
                Sample.of("cpu_usage_user", tags, 1_732_280_000_000_000L, 12.5),
                Sample.of("cpu_usage_system", tags, 1_732_280_000_000_000L, 3),
                Sample.of("cpu_up", tags, 1_732_280_000_000_000L, 1));
        assertThat(r.errors).isEmpty();
    }

    @Test
    void aFieldNamedValueGivesTheMeasurementAlone() {
        assertThat(only("temp value=21.5")).isEqualTo(Sample.of("temp", Map.of(), NO_TIME, 21.5));
        // Only exactly "value": other spellings are ordinary field keys.
        assertThat(only("temp Value=1").metric()).isEqualTo("temp_Value");
        assertThat(only("temp values=1").metric()).isEqualTo("temp_values");
    }

    @Test
    void aLineWithoutTagsHasAnEmptyTagSet() {
        assertThat(only("m f=1").tags()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "1.5|1.5", "-1.5|-1.5", "1|1", "0|0", "-0|-0.0", "007|7", "1e3|1000", "1E3|1000", "1.5E-3|0.0015",
            "1e+3|1000", ".5|0.5", "5.|5", "-.5|-0.5",
            "0.1|0.1", "98.49246231155779|98.49246231155779", "0.30000000000000004|0.30000000000000004",
            "3.141592653589793238462643|3.141592653589793", "1e308|1e308", "1.7976931348623157e308|1.7976931348623157e308",
            "4.9e-324|4.9e-324", "2.2250738585072014E-308|2.2250738585072014E-308", "1e-400|0",
            "12i|12", "-3i|-3", "0i|0", "9223372036854775807i|9.223372036854775807E18",
            "123456789012345678i|1.23456789012345678E17", "-1234567890123456789i|-1.234567890123456789E18",
            "000000000000000000000042i|42",
            "-9223372036854775808i|-9.223372036854775808E18",
            "12u|12", "0u|0", "18446744073709551615u|1.8446744073709552E19",
            "t|1", "T|1", "true|1", "True|1", "TRUE|1", "f|0", "F|0", "false|0", "False|0", "FALSE|0"})
    void everyFieldTypeParsesToTheDoubleJavaWouldRead(String text, double expected) {
        double v = only("m v=" + text).value();
        assertThat(Double.doubleToRawLongBits(v)).as("%s read as %s", text, v).isEqualTo(Double.doubleToRawLongBits(expected));
    }

    @Test
    void stringFieldsAreValidButSkippedAndCounted() {
        Recorder r = parse("log,host=a msg=\"hello, \\\"world\\\" a=b c\",n=2i,path=\"C:\\\\x\\\\\",empty=\"\"");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(Sample.of("log_n", Map.of("host", "a"), NO_TIME, 2));
        assertThat(r.skipped).isEqualTo(3);
    }

    @Test
    void aLineOfOnlyStringFieldsIsValidAndGivesNoSample() {
        Recorder r = parse("event text=\"deployed v2\" 1");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).isEmpty();
        assertThat(r.skipped).isEqualTo(1);
    }

    @Test
    void measurementEscapesAreCommaAndSpaceOnly() {
        assertThat(only("my\\ meas\\,ure v=1").metric()).isEqualTo("my meas,ure_v");
        // '=' needs no escape in a measurement, and "\=" there is two characters.
        assertThat(only("a=b v=1").metric()).isEqualTo("a=b_v");
        assertThat(only("a\\=b v=1").metric()).isEqualTo("a\\=b_v");
    }

    @Test
    void tagKeyTagValueAndFieldKeyEscapesAreCommaEqualsAndSpace() {
        Sample s = only("m,tag\\ k\\=y\\,z=v\\,a\\ l\\=ue field\\ k\\=\\,=1");
        assertThat(s.metric()).isEqualTo("m_field k=,");
        assertThat(s.tags()).containsExactly(Map.entry("tag k=y,z", "v,a l=ue"));
    }

    @Test
    void aBackslashBeforeAnythingElseIsItselfForThereIsNoEscapedBackslash() {
        assertThat(only("m,path=C:\\temp v=1").tags()).containsEntry("path", "C:\\temp");
        assertThat(only("m,path=C:\\\\dir v=1").tags()).containsEntry("path", "C:\\\\dir");
        // "\\," is a backslash, then an escaped comma.
        assertThat(only("m,t=a\\\\,b v=1").tags()).containsExactly(Map.entry("t", "a\\,b"));
        assertThat(only("a\\b\\\\ c v=1").metric()).isEqualTo("a\\b\\ c_v");
    }

    @Test
    void quotesAndHashesInNamesAreOrdinaryCharacters() {
        Sample s = only("a#b,t=\"x\"y \"f\"=1");
        assertThat(s.metric()).isEqualTo("a#b_\"f\"");
        assertThat(s.tags()).containsExactly(Map.entry("t", "\"x\"y"));
    }

    @Test
    void unicodeNamesPassThroughAsUtf8() {
        Sample s = only("température,lieu=café°C,emoji=😀 valeur=1");
        assertThat(s.metric()).isEqualTo("température_valeur");
        assertThat(s.tags()).containsEntry("lieu", "café°C").containsEntry("emoji", "😀");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"n,1500000000123456789,1500000000123456", "ns,1500000000123456789,1500000000123456",
            "u,1500000000123456,1500000000123456", "us,1500000000123456,1500000000123456",
            "ms,1500000000123,1500000000123000", "s,1500000000,1500000000000000",
            "m,25000000,1500000000000000", "h,416667,1500001200000000"})
    void theTimestampIsScaledByThePrecision(String precision, long ts, long micros) {
        assertThat(parse("m v=1 " + ts, Precision.parse(precision)).samples.get(0).time()).isEqualTo(micros);
    }

    @Test
    void negativeAndZeroTimestampsAreInstantsBeforeAndAtTheEpoch() {
        assertThat(parse("m v=1 -1000000").samples.get(0).time()).isEqualTo(-1000);
        assertThat(parse("m v=1 -1500").samples.get(0).time()).as("nanoseconds round down").isEqualTo(-2);
        assertThat(parse("m v=1 -5", Precision.SECONDS).samples.get(0).time()).isEqualTo(-5_000_000);
        assertThat(parse("m v=1 0").samples.get(0).time()).isZero();
        assertThat(parse("m v=1 -0").samples.get(0).time()).isZero();
    }

    @Test
    void withoutATimestampTheTimeIsNoTime() {
        assertThat(parse("m v=1", Precision.SECONDS).samples.get(0).time()).isEqualTo(NO_TIME);
        assertThat(parse("m v=1   ", Precision.SECONDS).samples.get(0).time()).isEqualTo(NO_TIME);
        assertThat(parse("m v=1   \r\n", Precision.SECONDS).samples.get(0).time()).isEqualTo(NO_TIME);
    }

    @Test
    void severalSpacesMaySeparateTheSections() {
        assertThat(only("m,t=1   v=1    7   ")).isEqualTo(Sample.of("m_v", Map.of("t", "1"), 0, 1));
    }

    @Test
    void commentsBlankLinesWhitespaceLinesAndCrlfAreSkipped() {
        // Whitespace is the space alone, as in the reference: a tab is a control character
        // (LineProtocolErrorsTest).
        Recorder r = parse("# a comment\r\n\r\n   \n  # indented comment\nm v=1 1000\r\n  m v=2 2000\r\n\n#");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(Sample.of("m_v", Map.of(), 1, 1), Sample.of("m_v", Map.of(), 2, 2));
    }

    @Test
    void linesAreNumberedFromOneCountingSkippedOnes() {
        List<Integer> lines = new ArrayList<>();
        SampleSink sink = new SampleSink() {
            @Override
            public void sample(SeriesKey key, long timeMicros, double value, long step) {
                lines.add(parser.line());
            }

            @Override
            public void error(io.sluice.codec.ParseError error) {
            }
        };
        byte[] b = "# c\nm v=1\n\nm v=2,w=3\n".getBytes(StandardCharsets.UTF_8);
        parser.parse(b, 0, b.length, Precision.NANOSECONDS, sink);
        assertThat(lines).containsExactly(2, 4, 4);
    }

    @Test
    void tagsInAnyOrderGiveTheSameSeriesAsSortedTags() {
        Recorder r = parse("m,b=2,c=3,a=1 v=1\nm,a=1,b=2,c=3 v=2\nm,c=3,a=1,b=2 v=3");
        assertThat(r.keys.get(0)).isEqualTo(r.keys.get(1)).isEqualTo(r.keys.get(2));
        assertThat(r.keys.get(0).hashCode()).isEqualTo(r.keys.get(1).hashCode());
        assertThat(r.keys.get(0)).isEqualTo(SeriesKey.of("m_v", Map.of("a", "1", "b", "2", "c", "3")));
    }

    @Test
    void aRepeatedFieldKeyKeepsTheLastValueAsInfluxDbDoes() {
        Recorder r = parse("m v=1,w=2,v=5");
        assertThat(r.samples).containsExactly(Sample.of("m_v", Map.of(), NO_TIME, 5), Sample.of("m_w", Map.of(), NO_TIME, 2));
        Recorder becameString = parse("m v=1,v=\"s\"");
        assertThat(becameString.samples).isEmpty();
        assertThat(becameString.skipped).isEqualTo(1);
        assertThat(parse("m v=\"s\",v=2").samples).containsExactly(Sample.of("m_v", Map.of(), NO_TIME, 2));
    }

    @Test
    void nanosecondTimestampsOfNineteenDigitsKeepEveryDigitTheyCan() {
        assertThat(parse("m v=1 1700000000123456789", Precision.NANOSECONDS).samples)
                .extracting(Sample::time).containsExactly(1_700_000_000_123_456L);
        assertThat(parse("m v=1 9223372036854775807", Precision.NANOSECONDS).samples)
                .extracting(Sample::time).containsExactly(9_223_372_036_854_775L);
        assertThat(parse("m v=1 -1700000000123456789", Precision.NANOSECONDS).samples)
                .extracting(Sample::time).containsExactly(-1_700_000_000_123_457L); // floored: the microsecond at or before it
    }

    @Test
    void everySampleOfALineSharesItsTimestamp() {
        Recorder r = parse("m a=1,b=2,c=3 42", Precision.MICROSECONDS);
        assertThat(r.samples).extracting(Sample::time).containsExactly(42L, 42L, 42L);
        assertThat(r.samples).extracting(Sample::step).containsOnly(SampleSink.NO_STEP);
    }

    @Test
    void namesAtTheirLimitsAreAccepted() {
        String name = "x".repeat(SeriesKey.MAX_NAME_BYTES);
        String value = "y".repeat(SeriesKey.MAX_TAG_VALUE_BYTES);
        Sample s = only(name + "," + name + "=" + value + " value=1");
        assertThat(s.metric()).isEqualTo(name);
        assertThat(s.tags()).containsEntry(name, value);
        StringBuilder tags = new StringBuilder("m");
        for (int i = 0; i < SeriesKey.MAX_TAGS; i++) {
            tags.append(",t").append(i).append("=v");
        }
        assertThat(only(tags + " v=1").tags()).hasSize(SeriesKey.MAX_TAGS);
        // measurement_field of exactly 256 bytes: 100 + 1 + 155.
        assertThat(only("a".repeat(100) + " " + "b".repeat(155) + "=1").metric()).hasSize(256);
    }

    @Test
    void parsesFromAnOffsetWithinALargerBuffer() {
        byte[] b = "XXXm v=7\nYYY".getBytes(StandardCharsets.UTF_8);
        Recorder r = new Recorder();
        parser.parse(b, 3, 5, Precision.NANOSECONDS, r);
        assertThat(r.samples).containsExactly(Sample.of("m_v", Map.of(), NO_TIME, 7));
        assertThat(r.errors).isEmpty();
    }

    @Test
    void anEmptyBufferGivesNothing() {
        Recorder r = parse("");
        assertThat(r.samples).isEmpty();
        assertThat(r.errors).isEmpty();
    }
}
