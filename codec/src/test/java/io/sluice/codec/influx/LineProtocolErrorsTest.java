package io.sluice.codec.influx;

import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import io.sluice.codec.SeriesKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.codec.SampleSink.NO_TIME;
import static org.assertj.core.api.Assertions.assertThat;

/** Malformed lines: one error each, with line, position and reason, and the good lines around kept. */
class LineProtocolErrorsTest {
    private final LineProtocolParser parser = new LineProtocolParser();

    private Recorder parse(String text, Precision p) {
        return parse(text.getBytes(StandardCharsets.UTF_8), p);
    }

    private Recorder parse(byte[] b, Precision p) {
        Recorder r = new Recorder();
        assertThat(parser.parse(b, 0, b.length, p, r)).isEqualTo(r.samples.size());
        return r;
    }

    /** Parses {@code bad} between two good lines and checks it is the one error, and they are kept. */
    private ParseError errorOf(String bad, Precision p) {
        Recorder r = parse("good v=1\n" + bad + "\r\ngood v=2", p);
        assertThat(r.errors).as("errors of %s", bad).hasSize(1);
        assertThat(r.samples).extracting(Sample::value).containsExactly(1.0, 2.0);
        ParseError e = r.errors.get(0);
        assertThat(e.line()).isEqualTo(2);
        return e;
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            ",t=1 v=1|1|missing measurement",
            "m|2|missing fields",
            "m,t=1|6|missing fields",
            "`m,t=1   `|9|missing fields",
            "m,=1 v=1|3|missing tag key",
            "m,t v=1|4|missing '=' after tag key",
            "m,t|4|missing '=' after tag key",
            "m,t= v=1|5|missing tag value",
            "m,t=a=b v=1|6|unescaped '=' in tag value",
            "m,t=1,u=2,t=3 v=1|11|duplicate tag key",
            "m =1|3|missing field key",
            "m v=1,=2|7|missing field key",
            "m v=1,|7|missing field key",
            "m v=1, w=2|7|missing field key",
            "m v|4|missing '=' after field key",
            "m v w=1|4|missing '=' after field key",
            "m v=|5|missing field value",
            "m v=,w=1|5|missing field value",
            "m v= 1|5|missing field value",
            "m v=abc|5|invalid field value: not a number, boolean or string",
            "m v=+2|5|invalid field value: a number cannot start with '+'",
            "m v=+3i|5|invalid field value: a number cannot start with '+'",
            "m v=NaN|5|NaN and Infinity are not valid field values",
            "m v=nan|5|NaN and Infinity are not valid field values",
            "m v=-Inf|5|NaN and Infinity are not valid field values",
            "m v=+Infinity|5|NaN and Infinity are not valid field values",
            "m v=1.2.3|5|invalid float field value",
            "m v=1e|5|invalid float field value",
            "m v=1e+|5|invalid float field value",
            "m v=-|5|invalid float field value",
            "m v=.|5|invalid float field value",
            "m v=0x10|5|invalid float field value",
            "m v=1_000|5|invalid float field value",
            "m v=1e400|5|float field value out of range",
            "m v=-1e400|5|float field value out of range",
            "m v=1.5i|5|invalid integer field value",
            "m v=1e3i|5|invalid integer field value",
            "m v=i|5|invalid field value: not a number, boolean or string",
            "m v=-i|5|invalid integer field value",
            "m v=9223372036854775808i|5|integer field value out of range",
            "m v=-9223372036854775809i|5|integer field value out of range",
            "m v=-1u|5|invalid unsigned field value",
            "m v=1.5u|5|invalid unsigned field value",
            "m v=18446744073709551616u|5|unsigned field value out of range",
            "m v=tru|5|invalid boolean field value",
            "m v=truE|5|invalid boolean field value",
            "m v=t1|5|invalid boolean field value",
            "m v=\"open|5|unterminated string field value",
            "m v=\"a\\\"|5|unterminated string field value",
            "m v=\"a\"b|8|expected ',' or ' ' after a string field value",
            "m v=1 12x|7|invalid timestamp",
            "m v=1 +12|7|invalid timestamp",
            "m v=1 1.5|7|invalid timestamp",
            "m v=1 -|7|invalid timestamp",
            "m v=1 99999999999999999999|7|timestamp out of range",
            "m v=1 1 2|9|unexpected text after the timestamp",
            "`  m v=abc`|7|invalid field value: not a number, boolean or string",
    })
    void eachMalformedLineIsOneErrorWithItsPositionAndReason(String line, int position, String reason) {
        ParseError e = errorOf(line, Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.position()).isEqualTo(position);
        assertThat(e.text()).as("the line without its CR").isEqualTo(line);
    }

    @Test
    void aTimestampThatOverflowsMicrosecondsInItsPrecisionIsOutOfRange() {
        ParseError e = errorOf("m v=1 9223372036854775807", Precision.SECONDS);
        assertThat(e.reason()).isEqualTo("timestamp out of range");
        assertThat(e.position()).isEqualTo(7);
        // Long.MIN_VALUE microseconds would read as "no timestamp": refused too.
        assertThat(errorOf("m v=1 -9223372036854775808", Precision.MICROSECONDS).reason()).isEqualTo("timestamp out of range");
    }

    @Test
    void namesPastTheirLimitsAreRefusedAtTheirStart() {
        String longName = "x".repeat(SeriesKey.MAX_NAME_BYTES + 1);
        ParseError e = errorOf(longName + " v=1", Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo("measurement longer than 256 bytes");
        assertThat(e.position()).isEqualTo(1);
        assertThat(e.text()).hasSize(ParseError.MAX_TEXT);
        e = errorOf("m," + longName + "=1 v=1", Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo("tag key longer than 256 bytes");
        assertThat(e.position()).isEqualTo(3);
        e = errorOf("m,t=" + "y".repeat(SeriesKey.MAX_TAG_VALUE_BYTES + 1) + " v=1", Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo("tag value longer than 1024 bytes");
        assertThat(e.position()).isEqualTo(5);
        e = errorOf("m " + longName + "=1", Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo("field key longer than 256 bytes");
        assertThat(e.position()).isEqualTo(3);
        // The limit counts unescaped bytes: 256 escaped spaces are 512 bytes of text but fit.
        assertThat(parse("m,t=1 " + "\\ ".repeat(256) + "=1", Precision.NANOSECONDS).errors).hasSize(1)
                .first().extracting(ParseError::reason).isEqualTo("metric name measurement_field longer than 256 bytes");
    }

    @Test
    void theLimitHoldsWhenAPlainRunIsFollowedByEscapes() {
        // 255 plain bytes then one escaped space: 256 unescaped, accepted; one more byte is not.
        String fits = "x".repeat(255) + "\\ ";
        assertThat(parse(fits + " value=1", Precision.NANOSECONDS).errors).isEmpty();
        assertThat(errorOf(fits + "y value=1", Precision.NANOSECONDS).reason()).isEqualTo("measurement longer than 256 bytes");
        assertThat(errorOf(fits + "\\, value=1", Precision.NANOSECONDS).reason()).isEqualTo("measurement longer than 256 bytes");
        assertThat(errorOf("m,t=" + "y".repeat(1023) + "\\=z v=1", Precision.NANOSECONDS).reason())
                .isEqualTo("tag value longer than 1024 bytes");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // 19 and 20 digits: the digits past the eighteenth are checked for overflow.
            "m v=1 9223372036854775808|7|timestamp out of range",
            "m v=1 12345678901234567890|7|timestamp out of range",
            "m v=1 123456789012345678x|7|invalid timestamp",
            "m v=1 1234567890123456789x|7|invalid timestamp",
            "m v=99999999999999999999i|5|integer field value out of range",
            "m v=-9223372036854775809i|5|integer field value out of range"})
    void longNumbersPastTheRangeAreRefused(String line, int position, String reason) {
        ParseError e = errorOf(line, Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.position()).isEqualTo(position);
    }

    @Test
    void aMetricNameMeasurementUnderscoreFieldPastTheLimitIsRefusedAtTheFieldKey() {
        ParseError e = errorOf("y".repeat(200) + " ok=1," + "z".repeat(56) + "=1", Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo("metric name measurement_field longer than 256 bytes");
        assertThat(e.position()).isEqualTo(207);
        // A field named value adds nothing to the measurement, and a string field makes no metric.
        assertThat(parse("y".repeat(256) + " value=1,s=\"x\"", Precision.NANOSECONDS).errors).isEmpty();
    }

    @Test
    void moreThanSixtyFourTagsIsRefusedAtTheSixtyFifth() {
        StringBuilder line = new StringBuilder("m");
        for (int i = 0; i < SeriesKey.MAX_TAGS + 1; i++) {
            line.append(",t").append(i).append("=v");
        }
        int at = line.lastIndexOf(",t64") + 2;
        ParseError e = errorOf(line + " v=1", Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo("more than 64 tags");
        assertThat(e.position()).isEqualTo(at);
    }

    @Test
    void moreThanMaxFieldsIsRefused() {
        StringBuilder line = new StringBuilder("m ");
        for (int i = 0; i <= LineProtocolParser.MAX_FIELDS; i++) {
            line.append(i == 0 ? "" : ",").append('f').append(i).append("=1");
        }
        assertThat(errorOf(line.toString(), Precision.NANOSECONDS).reason()).isEqualTo("more than 1024 fields");
    }

    @Test
    void namesThatAreNotUtf8AreRefused() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("good v=1\nm,t=".getBytes(StandardCharsets.US_ASCII));
        b.write(0xC3); // a lead byte without its continuation
        b.writeBytes(" v=1\n".getBytes(StandardCharsets.US_ASCII));
        b.write(0xED); // an encoded surrogate, U+D800
        b.write(0xA0);
        b.write(0x80);
        b.writeBytes(" v=1\ngood v=2".getBytes(StandardCharsets.US_ASCII));
        Recorder r = parse(b.toByteArray(), Precision.NANOSECONDS);
        assertThat(r.errors).extracting(ParseError::reason).containsExactly("invalid UTF-8 in tag value", "invalid UTF-8 in measurement");
        assertThat(r.errors).extracting(ParseError::position).containsExactly(5, 1);
        assertThat(r.samples).extracting(Sample::value).containsExactly(1.0, 2.0);
    }

    @Test
    void aBadLineEmitsNoneOfItsFieldsNorCountsItsStrings() {
        Recorder r = parse("m a=1,s=\"x\",b=2,c=x", Precision.NANOSECONDS);
        assertThat(r.samples).isEmpty();
        assertThat(r.skipped).isZero();
        assertThat(r.errors).hasSize(1);
        assertThat(r.errors.get(0).position()).isEqualTo(19);
    }

    @Test
    void everyBadLineIsReportedAndEveryGoodOneKept() {
        Recorder r = parse("a v=1\nbad\nb v=2\n# fine\nc v=x\n\nd v=3\ne v=4 x", Precision.NANOSECONDS);
        assertThat(r.samples).extracting(Sample::metric).containsExactly("a_v", "b_v", "d_v");
        assertThat(r.errors).extracting(ParseError::line).containsExactly(2, 5, 8);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // The reference's nonprintable characters (0x00-0x1F, 0x7F; \xNN here) are in no name,
            // escaped or not, nor in a comment; its whitespace is the space alone.
            "m\\x0bx v=1|2|control character 0x0B in the measurement",
            "\\x09m v=1|1|control character 0x09 in the measurement",
            "m\\\\x01 v=1|3|control character 0x01 in the measurement",
            "m\\x7f v=1|2|control character 0x7F in the measurement",
            "m,t\\x00=1 v=1|4|control character 0x00 in a tag key",
            "m,t=a\\x09b v=1|6|control character 0x09 in a tag value",
            "m,t=a\\x02 v=1|6|control character 0x02 in a tag value",
            "m \\x0ff=1|3|control character 0x0F in a field key",
            "m v\\x08x=1|4|control character 0x08 in a field key",
            "# a comment\\x09with a tab|12|control character 0x09 in a comment",
            "`  # \\x07`|5|control character 0x07 in a comment",
    })
    void controlCharactersInNamesAndCommentsAreRefusedAsTheReferenceDoes(String line, int position, String reason) {
        Matcher m = Pattern.compile("\\\\x([0-9a-f]{2})").matcher(line);
        String text = m.replaceAll(r -> Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(r.group(1), 16))));
        ParseError e = errorOf(text, Precision.NANOSECONDS);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.position()).isEqualTo(position);
    }

    @Test
    void aStringFieldThatIsNotUtf8IsRefused() {
        byte[] b = {'m', ' ', 's', '=', '"', 'b', 'a', 'd', (byte) 0xFF, '"', ',', 'v', '=', '1', '\n', 'm', ' ', 'v', '=', '2'};
        Recorder r = parse(b, Precision.NANOSECONDS);
        assertThat(r.errors).extracting(ParseError::reason).containsExactly("invalid UTF-8 in a string field value");
        assertThat(r.errors).extracting(ParseError::position).containsExactly(5);
        assertThat(r.samples).extracting(Sample::value).containsExactly(2.0);
    }

    @Test
    void aNewlineInsideAStringIsPartOfItAndThePointGoesOn() {
        Recorder r = parse("m s=\"two\nlines\",v=1 7\nm s=\"crlf\r\n\\\"still\\\" in\n\",v=2\nm v=3\nbad", Precision.NANOSECONDS);
        assertThat(r.samples).containsExactly(Sample.of("m_v", Map.of(), 0, 1), Sample.of("m_v", Map.of(), NO_TIME, 2),
                Sample.of("m_v", Map.of(), NO_TIME, 3));
        assertThat(r.skipped).isEqualTo(2);
        // Lines are counted as the text has them: the point on line 3 spans lines 3 to 5.
        assertThat(r.errors).extracting(ParseError::line).containsExactly(7);
    }

    @Test
    void aStringThatNeverClosesIsAnErrorOfItsOwnLineAndTheNextLinesAreParsed() {
        Recorder r = parse("m s=\"open,v=1\nm v=2\nm v=3", Precision.NANOSECONDS);
        assertThat(r.errors).extracting(ParseError::reason).containsExactly("unterminated string field value");
        assertThat(r.errors).extracting(ParseError::line).containsExactly(1);
        assertThat(r.errors.get(0).text()).isEqualTo("m s=\"open,v=1");
        assertThat(r.samples).extracting(Sample::value).containsExactly(2.0, 3.0);
    }

    @Test
    void aPointAfterAMultiLineStringIsAnErrorOfTheWholePoint() {
        Recorder r = parse("m s=\"a\nb\" x\nm v=2", Precision.NANOSECONDS);
        assertThat(r.errors).extracting(ParseError::reason).containsExactly("invalid timestamp");
        assertThat(r.errors).extracting(ParseError::line).containsExactly(1);
        assertThat(r.errors).extracting(ParseError::position).containsExactly(11);
        assertThat(r.samples).extracting(Sample::value).containsExactly(2.0);
    }
}
