package io.sluice.codec.statsd;

import io.sluice.codec.ParseError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Malformed lines: one error each, with the position and reason, and nothing else from that line. */
class StatsdErrorsTest {
    private final StatsdParser parser = new StatsdParser(256);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '»', quoteCharacter = '`', textBlock = """
            nothing                          » 8  » missing ':' and value after the metric name
            :1|c                             » 1  » missing metric name
            ,a=b:1|c                         » 1  » missing metric name
            m|c                              » 2  » missing ':' and value after the metric name
            m:1                              » 4  » missing '|' and metric type after the value
            m:1|                             » 5  » missing metric type
            m:1|x                            » 5  » unknown metric type 'x' (c, g, ms, h, d or s)
            m:1|count                        » 5  » unknown metric type 'count' (c, g, ms, h, d or s)
            m:|c                             » 3  » missing value
            m:1::2|ms                        » 5  » missing value
            m:abc|c                          » 3  » invalid value 'abc': not a number
            m:1.2.3|g                        » 3  » invalid value '1.2.3': not a number
            m:NaN|g                          » 3  » invalid value 'NaN': not a number
            m:1e999|ms                       » 3  » value out of range
            m:+5|ms                          » 3  » a '+' sign is only valid for gauges and counters
            m:|s                             » 3  » missing set member
            m:1|c|@                          » 7  » invalid sample rate '@': a number in (0, 1] expected
            m:1|c|@0                         » 7  » invalid sample rate '@0': a number in (0, 1] expected
            m:1|c|@1.5                       » 7  » invalid sample rate '@1.5': a number in (0, 1] expected
            m:1|c|@-0.5                      » 7  » invalid sample rate '@-0.5': a number in (0, 1] expected
            m:1|c|@x                         » 7  » invalid sample rate '@x': a number in (0, 1] expected
            m:1|c|                           » 7  » empty field after '|'
            m:1|c||#a:b                      » 7  » empty field after '|'
            m:1|c:                           » 7  » missing '|' and metric type after the value
            m:1|c:2                          » 8  » missing '|' and metric type after the value
            m,:1|c                           » 3  » missing tag key
            m,a:1|c                          » 4  » missing '=' after tag key
            m,a=:1|c                         » 5  » missing tag value
            m,=b:1|c                         » 3  » missing tag key
            m:1|c|#:v                        » 8  » missing tag key in '#' tags
            m:1|c|#a:b,:v                    » 12 » missing tag key in '#' tags
            """)
    void eachMalformedLineGivesOneErrorWithPositionAndReason(String line, int position, String reason) {
        StatsdRecorder r = StatsdRecorder.parse(parser, line);
        assertThat(r.out).as(line).hasSize(1);
        assertThat(r.errors).as(line).hasSize(1);
        ParseError e = r.errors.get(0);
        assertThat(e.reason()).as(line).isEqualTo(reason);
        assertThat(e.position()).as(line).isEqualTo(position);
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.text()).isEqualTo(line);
    }

    @Test
    void aBadGroupLosesItsWholeLineButNotTheNextOnes() {
        StatsdRecorder r = StatsdRecorder.parse(parser, "a:1|c:2|x\nb:1|c\nc:1:zz:3|ms\nd:2|g");
        assertThat(r.out).containsExactly(
                "error 1:9 unknown metric type 'x' (c, g, ms, h, d or s)",
                "b{metric_type=counter} c 1.0",
                "error 3:5 invalid value 'zz': not a number",
                "d{metric_type=gauge} g 2.0");
    }

    @Test
    void positionsCountFromTheStartOfTheLineBeforeLeadingSpaces() {
        StatsdRecorder r = StatsdRecorder.parse(parser, "ok:1|c\n   m:1|q");
        assertThat(r.errors).extracting(ParseError::line, ParseError::position).containsExactly(org.assertj.core.groups.Tuple.tuple(2, 8));
    }

    @Test
    void aLineOverTheLimitIsOneErrorAndTheTextIsCut() {
        String name = "x".repeat(300);
        StatsdRecorder r = StatsdRecorder.parse(parser, name + ":1|c\nok:1|c");
        assertThat(r.out).containsExactly("error 1:1 line longer than 256 bytes", "ok{metric_type=counter} c 1.0");
        assertThat(r.errors.get(0).text()).hasSize(ParseError.MAX_TEXT);
    }

    @Test
    void namesAndTagsPastTheirLimitsAreRefused() {
        StatsdParser big = new StatsdParser();
        String n257 = "n".repeat(257);
        String v1025 = "v".repeat(1025);
        StatsdRecorder r = StatsdRecorder.parse(big, n257 + ":1|c\nm," + n257 + "=v:1|c\nm:1|c|#k:" + v1025
                + "\nm:1|c|#" + n257 + "\n" + "n".repeat(256) + ":1|c");
        assertThat(r.errors).extracting(ParseError::reason).containsExactly(
                "metric name longer than 256 bytes", "tag key longer than 256 bytes",
                "tag value longer than 1024 bytes", "tag key longer than 256 bytes");
        assertThat(r.out).last().asString().startsWith("n".repeat(256) + "{metric_type=counter}");
    }

    @Test
    void moreThanSixtyThreeTagsAreRefused() {
        StringBuilder ok = new StringBuilder("m:1|c|#");
        for (int i = 0; i < 63; i++) {
            ok.append(i == 0 ? "" : ",").append("k").append(i).append(":v");
        }
        StatsdRecorder r = StatsdRecorder.parse(new StatsdParser(), ok + "\n" + ok + ",k63:v");
        assertThat(r.out.get(0)).startsWith("m{k0=v, k1=v");
        assertThat(r.errors).extracting(ParseError::reason).containsExactly("more than 63 tags");
    }

    @Test
    void invalidUtf8InNamesAndTagsIsRefused() {
        byte[] bad = {'m', (byte) 0xC3, ':', '1', '|', 'c', '\n', 'm', ':', '1', '|', 'c', '|', '#', 'k', ':',
                (byte) 0xFF, '\n', 'm', ',', (byte) 0xE2, (byte) 0x82, '=', 'v', ':', '1', '|', 'c'};
        StatsdRecorder r = new StatsdRecorder();
        parser.parse(bad, 0, bad.length, r);
        assertThat(r.errors).extracting(ParseError::reason)
                .containsExactly("invalid UTF-8 in metric name", "invalid UTF-8 in tag value", "invalid UTF-8 in tag key");
    }

    @Test
    void aSetMemberMayBeAnyBytes() {
        byte[] b = {'s', ':', '+', (byte) 0xFF, (byte) 0x00, '|', 's'};
        StatsdRecorder r = new StatsdRecorder();
        parser.parse(b, 0, b.length, r);
        assertThat(r.errors).isEmpty();
        assertThat(r.out).hasSize(1);
    }

    @Test
    void errorsAreNumberedByLine() {
        StatsdRecorder r = StatsdRecorder.parse(parser, "bad1\nok:1|c\nbad2\n\nbad3");
        assertThat(r.errors).extracting(ParseError::line).containsExactly(1, 3, 5);
        assertThat(List.copyOf(r.out)).hasSize(4);
    }
}
