package io.sluice.codec.influx;

import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import io.sluice.codec.SampleSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LineProtocolParserTest {
    private final LineProtocolParser parser = new LineProtocolParser();

    private Recorder parse(String text) {
        return parse(text, Precision.NANOSECONDS);
    }

    private Recorder parse(String text, Precision p) {
        Recorder r = new Recorder();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int n = parser.parse(b, 0, b.length, p, r);
        assertThat(n).isEqualTo(r.samples.size());
        return r;
    }

    private static Sample s(String metric, Map<String, String> tags, long time, double value) {
        return new Sample(metric, tags, time, value, SampleSink.NO_STEP);
    }

    @Test
    void eachNumericFieldBecomesMeasurementUnderscoreField() {
        Recorder r = parse("cpu,host=a,region=eu usage_user=12.5,usage_system=3i 1732280000", Precision.SECONDS);
        assertThat(r.samples).containsExactly(
                s("cpu_usage_user", Map.of("host", "a", "region", "eu"), 1_732_280_000_000_000L, 12.5),
                s("cpu_usage_system", Map.of("host", "a", "region", "eu"), 1_732_280_000_000_000L, 3));
        assertThat(r.errors).isEmpty();
    }

    @Test
    void aFieldNamedValueGivesTheMeasurementAlone() {
        assertThat(parse("temp value=21.5").samples).containsExactly(s("temp", Map.of(), SampleSink.NO_TIME, 21.5));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "m v=1.5|1.5", "m v=-1.5|-1.5", "m v=1|1", "m v=1e3|1000", "m v=1.5E-3|0.0015", "m v=.5|0.5",
            "m v=+2|2", "m v=12i|12", "m v=-3i|-3", "m v=9223372036854775807i|9.223372036854775807E18",
            "m v=12u|12", "m v=18446744073709551615u|1.8446744073709552E19",
            "m v=t|1", "m v=T|1", "m v=true|1", "m v=True|1", "m v=TRUE|1",
            "m v=f|0", "m v=F|0", "m v=false|0", "m v=False|0", "m v=FALSE|0",
            "m v=0.1|0.1", "m v=3.141592653589793238|3.141592653589793", "m v=1e308|1e308", "m v=4.9e-324|4.9e-324"})
    void everyFieldTypeParses(String line, double expected) {
        Recorder r = parse(line);
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).hasSize(1);
        assertThat(r.samples.get(0).value()).isEqualTo(expected);
    }

    @Test
    void stringFieldsAreSkippedAndCounted() {
        Recorder r = parse("log,host=a msg=\"hello, \\\"world\\\" a=b\",n=2i,path=\"C:\\\\x\"");
        assertThat(r.samples).containsExactly(s("log_n", Map.of("host", "a"), SampleSink.NO_TIME, 2));
        assertThat(r.skipped).isEqualTo(2);
    }

    @Test
    void escapesInEveryElementAreUndone() {
        Recorder r = parse("my\\ meas\\,ure=x,tag\\ k\\=y=v\\,a\\ l\\=ue field\\ k\\=\\,=1");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).containsExactly(
                s("my meas,ure=x_field k=,", Map.of("tag k=y", "v,a l=ue"), SampleSink.NO_TIME, 1));
    }

    @Test
    void aBackslashBeforeAnOrdinaryCharacterStaysAndDoubledStandsForOne() {
        Recorder r = parse("m,path=C:\\temp\\\\dir v=1");
        assertThat(r.samples.get(0).tags()).containsEntry("path", "C:\\temp\\dir");
    }

    @ParameterizedTest
    @CsvSource({"n,1500000000000000000,1500000000000000", "ns,1500000000000000000,1500000000000000",
            "u,1500000000000000,1500000000000000", "ms,1500000000000,1500000000000000",
            "s,1500000000,1500000000000000", "m,25000000,1500000000000000", "h,416667,1500001200000000"})
    void precisionScalesTheTimestamp(String precision, long ts, long micros) {
        Recorder r = parse("m v=1 " + ts, Precision.parse(precision));
        assertThat(r.samples.get(0).time()).isEqualTo(micros);
    }

    @Test
    void negativeAndMissingTimestamps() {
        assertThat(parse("m v=1 -1000000", Precision.NANOSECONDS).samples.get(0).time()).isEqualTo(-1000);
        assertThat(parse("m v=1", Precision.SECONDS).samples.get(0).time()).isEqualTo(SampleSink.NO_TIME);
        assertThat(parse("m v=1   ", Precision.SECONDS).samples.get(0).time()).isEqualTo(SampleSink.NO_TIME);
    }

    @Test
    void commentsBlankLinesAndCrlfAreHandled() {
        Recorder r = parse("# a comment\r\n\r\n   \n  # indented comment\nm v=1 1\r\nm v=2 2\r\n\n");
        assertThat(r.errors).isEmpty();
        assertThat(r.samples).extracting(Sample::value).containsExactly(1.0, 2.0);
        assertThat(r.samples).extracting(Sample::time).containsExactly(0L, 0L);
    }

    @Test
    void unsortedTagsGiveTheSameSeriesAsSorted() {
        Recorder r = parse("m,b=2,a=1 v=1\nm,a=1,b=2 v=2");
        assertThat(r.keys.get(0)).isEqualTo(r.keys.get(1));
    }

    @Test
    void repeatedTagAndFieldKeysKeepTheLast() {
        Recorder r = parse("m,h=1,h=2 v=1,v=5");
        assertThat(r.samples).containsExactly(s("m_v", Map.of("h", "2"), SampleSink.NO_TIME, 5));
    }

    @Test
    void unicodeNamesPassThrough() {
        Recorder r = parse("température,lieu=café°C valeur=1");
        assertThat(r.samples.get(0).metric()).isEqualTo("température_valeur");
        assertThat(r.samples.get(0).tags()).containsEntry("lieu", "café°C");
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', value = {
            ",t=1 v=1|1|missing measurement",
            "m|2|missing fields",
            "m,t=1|6|missing fields",
            "m,=1 v=1|3|missing tag key",
            "m,t v=1|4|missing '=' after tag key",
            "m,t= v=1|5|missing tag value",
            "m,t=a=b v=1|6|unescaped '=' in tag value",
            "'m  '|4|missing fields",
            "m =1|3|missing field key",
            "m v|4|missing '=' after field key",
            "m v=|5|missing field value",
            "m v=,w=1|5|missing field value",
            "m v=1,|7|missing field after ','",
            "m v=abc|5|invalid float field value",
            "m v=NaN|5|invalid float field value",
            "m v=Inf|5|invalid float field value",
            "m v=1.2.3|5|invalid float field value",
            "m v=1e|5|invalid float field value",
            "m v=1.5i|5|invalid integer field value",
            "m v=99999999999999999999i|5|integer field value out of range",
            "m v=-1u|5|invalid unsigned field value",
            "m v=18446744073709551616u|5|unsigned field value out of range",
            "m v=tru|5|invalid boolean field value",
            "m v=\"open|5|unterminated string field value",
            "m v=\"a\"b|8|unterminated string field value",
            "m v=1 12x|7|invalid timestamp",
            "m v=1 99999999999999999999|7|timestamp out of range",
            "m v=1 1 2|9|unexpected text after the timestamp",
    })
    void eachMalformedLineIsOneErrorWithPositionAndReason(String line, int position, String reason) {
        Recorder r = parse("good v=1\n" + line + "\ngood v=2");
        assertThat(r.errors).hasSize(1);
        ParseError e = r.errors.get(0);
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.position()).isEqualTo(position);
        assertThat(e.text()).isEqualTo(line);
        assertThat(r.samples).extracting(Sample::value).containsExactly(1.0, 2.0);
    }

    @Test
    void aBadLineEmitsNoneOfItsFields() {
        Recorder r = parse("m a=1,b=2,c=x");
        assertThat(r.samples).isEmpty();
        assertThat(r.errors).hasSize(1);
    }

    @Test
    void limitsOnNamesAndTagsAreErrors() {
        String longName = "x".repeat(257);
        assertThat(parse(longName + " v=1").errors.get(0).reason()).contains("measurement longer than 256");
        assertThat(parse("m," + longName + "=1 v=1").errors.get(0).reason()).contains("tag key longer");
        assertThat(parse("m,t=" + "y".repeat(1025) + " v=1").errors.get(0).reason()).contains("tag value longer");
        assertThat(parse("m " + longName + "=1").errors.get(0).reason()).contains("field key longer");
        StringBuilder tags = new StringBuilder("m");
        for (int i = 0; i < 65; i++) {
            tags.append(",t").append(i).append("=v");
        }
        assertThat(parse(tags + " v=1").errors.get(0).reason()).isEqualTo("more than 64 tags");
        assertThat(parse("y".repeat(200) + " " + "z".repeat(100) + "=1").errors.get(0).reason())
                .startsWith("metric name (measurement_field) longer");
    }

    @Test
    void splittingAtEveryLineBoundaryAndReusingTheParserGiveTheSameSamples() {
        String text = "cpu,host=a u=1,s=2i 10\n# c\nmem,host=b used=3 20\nbad line\r\ndisk\\ io,dev=sd\\,a r=4u 30\n";
        Recorder whole = parse(text);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= b.length; cut++) {
            if (cut != 0 && cut != b.length && b[cut - 1] != '\n') {
                continue;
            }
            Recorder r = new Recorder();
            parser.parse(b, 0, cut, Precision.NANOSECONDS, r);
            parser.parse(b, cut, b.length - cut, Precision.NANOSECONDS, r);
            assertThat(r.samples).as("cut at %d", cut).isEqualTo(whole.samples);
            assertThat(r.errors).extracting(ParseError::reason).isEqualTo(whole.errors.stream().map(ParseError::reason).toList());
        }
        assertThat(parse(text).samples).isEqualTo(whole.samples);
        assertThat(whole.samples).hasSize(4);
        assertThat(whole.errors).hasSize(1);
    }

    @Test
    void parsesFromAnOffsetWithinALargerBuffer() {
        byte[] b = "XXXm v=7\nYYY".getBytes(StandardCharsets.UTF_8);
        Recorder r = new Recorder();
        parser.parse(b, 3, 5, Precision.NANOSECONDS, r);
        assertThat(r.samples).containsExactly(s("m_v", Map.of(), SampleSink.NO_TIME, 7));
        assertThat(List.of(parser.line())).containsExactly(1);
    }
}
