package io.sluice.codec.statsd;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The parser keeps no state between lines or calls: splits and reuse change nothing. */
class StatsdFragmentTest {
    private static final String TEXT = """
            api.requests,env=prod:1|c|@0.25|#host:web-1,canary
            bad line
            load.time:320:200:17.5|ms|#route:/a
            _e{5,4}:title|text
            users.current:+10|g:-3|g
            users.unique:alice|s:bob|s|#team:x\r
            m:1|c|@2
              q.depth:42|h|c:abcdef|#shard:3
            _sc|db|0
            mixed:1|c:2|d|@0.5:3|g""";

    private final StatsdParser parser = new StatsdParser();

    private StatsdRecorder parse(byte[] b, int off, int len, StatsdRecorder into) {
        parser.parse(b, off, len, into);
        return into;
    }

    /** Errors without their line number, which counts from each call. */
    private static List<String> withoutLines(List<String> out) {
        List<String> r = new ArrayList<>();
        for (String s : out) {
            r.add(s.startsWith("error ") ? s.replaceFirst("error \\d+:", "error ") : s);
        }
        return r;
    }

    @Test
    void splittingAtEveryLineBoundaryGivesTheSameOutput() {
        byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
        StatsdRecorder whole = parse(b, 0, b.length, new StatsdRecorder());
        assertThat(whole.errors).hasSize(2);
        assertThat(whole.events).isEqualTo(1);
        assertThat(whole.checks).isEqualTo(1);
        for (int cut = 0; cut <= b.length; cut++) {
            if (cut != 0 && cut != b.length && b[cut - 1] != '\n') {
                continue;
            }
            StatsdRecorder r = new StatsdRecorder();
            parse(b, 0, cut, r);
            parse(b, cut, b.length - cut, r);
            assertThat(withoutLines(r.out)).as("cut at %d", cut).isEqualTo(withoutLines(whole.out));
        }
    }

    @Test
    void cuttingInsideALineNeverThrowsAndLeavesTheOtherLinesAlone() {
        byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
        List<Integer> starts = new ArrayList<>(List.of(0));
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                starts.add(i + 1);
            }
        }
        starts.add(b.length + 1);
        for (int cut = 0; cut <= b.length; cut++) {
            int li = 0;
            while (starts.get(li + 1) <= cut) {
                li++;
            }
            int before = starts.get(li);
            int after = Math.min(b.length, starts.get(li + 1));
            StatsdRecorder head = parse(b, 0, before, new StatsdRecorder());
            StatsdRecorder tail = parse(b, after, b.length - after, new StatsdRecorder());
            StatsdRecorder r = new StatsdRecorder();
            parse(b, 0, cut, r);
            parse(b, cut, b.length - cut, r);
            List<String> got = withoutLines(r.out);
            assertThat(got.subList(0, head.out.size())).as("cut at %d", cut).isEqualTo(withoutLines(head.out));
            assertThat(got.subList(got.size() - tail.out.size(), got.size())).as("cut at %d", cut)
                    .isEqualTo(withoutLines(tail.out));
        }
    }

    @Test
    void aSecondParseOnTheSameInstanceGivesTheSameOutput() {
        byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
        StatsdRecorder first = parse(b, 0, b.length, new StatsdRecorder());
        StatsdRecorder second = parse(b, 0, b.length, new StatsdRecorder());
        assertThat(second.out).isEqualTo(first.out);
        assertThat(second.errors).isEqualTo(first.errors);
    }

    @Test
    void nothingOfAFailedOrLongerLineLeaksIntoTheNextLineOrCall() {
        byte[] a = "x,a=1,b=2:1:2:3:4:5:6:7:8:9:10|ms|@0.5|#c:3,d:4\ny,e=5:1|c|#f:6|@0.1:oops|q"
                .getBytes(StandardCharsets.UTF_8);
        parse(a, 0, a.length, new StatsdRecorder());
        byte[] b = "n:2|c\nn:3|g|#g:7".getBytes(StandardCharsets.UTF_8);
        StatsdRecorder r = parse(b, 0, b.length, new StatsdRecorder());
        assertThat(r.out).containsExactly("n{metric_type=counter} c 2.0", "n{g=7, metric_type=gauge} g 3.0");
        assertThat(parser.line()).isEqualTo(2);
    }

    @Test
    void aLineParsedAtAnOffsetInALargerBufferReadsOnlyItsBytes() {
        byte[] b = "XXXXm:1|c\nYYYY".getBytes(StandardCharsets.UTF_8);
        StatsdRecorder r = parse(b, 4, 6, new StatsdRecorder());
        assertThat(r.out).containsExactly("m{metric_type=counter} c 1.0");
    }
}
