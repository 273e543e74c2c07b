package io.sluice.codec.influx;

import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.sluice.codec.SampleSink.NO_TIME;
import static org.assertj.core.api.Assertions.assertThat;

/** The parser keeps no state between lines or calls: splits and reuse change nothing. */
class LineProtocolFragmentTest {
    private static final String TEXT = """
            cpu,host=a,region=eu u=1,s=2i 10
            # comment
            mem,host=b used=3,free=4u,note="a, b" 20\r
            bad line
            disk\\ io,dev=sd\\,a r=4u,ok=t 30
            \r
              m,t=x\\=y value=-1.5e3
            m,t=1,t=2 v=1
            net,if=eth0 rx=1.0000000000000002,tx=98.49246231155779 40""";

    private final LineProtocolParser parser = new LineProtocolParser();

    private Recorder parse(byte[] b, int off, int len, Recorder into) {
        parser.parse(b, off, len, Precision.NANOSECONDS, into);
        return into;
    }

    private static List<String> withoutLine(List<ParseError> errors) {
        List<String> out = new ArrayList<>();
        for (ParseError e : errors) {
            out.add(e.position() + ": " + e.reason() + " (" + e.text() + ")");
        }
        return out;
    }

    @Test
    void splittingAtEveryLineBoundaryGivesTheSameSamplesAndErrors() {
        byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
        Recorder whole = parse(b, 0, b.length, new Recorder());
        assertThat(whole.samples).hasSize(9);
        assertThat(whole.errors).extracting(ParseError::reason).containsExactly("missing '=' after field key", "duplicate tag key");
        for (int cut = 0; cut <= b.length; cut++) {
            if (cut != 0 && cut != b.length && b[cut - 1] != '\n') {
                continue;
            }
            Recorder r = new Recorder();
            parse(b, 0, cut, r);
            parse(b, cut, b.length - cut, r);
            assertThat(r.samples).as("cut at %d", cut).isEqualTo(whole.samples);
            assertThat(r.keys).as("cut at %d", cut).isEqualTo(whole.keys);
            assertThat(withoutLine(r.errors)).as("cut at %d", cut).isEqualTo(withoutLine(whole.errors));
            assertThat(r.skipped).isEqualTo(whole.skipped);
        }
    }

    @Test
    void cuttingInsideALineNeverThrowsAndLeavesTheOtherLinesAlone() {
        byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
        List<Integer> lineStarts = new ArrayList<>(List.of(0));
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                lineStarts.add(i + 1);
            }
        }
        lineStarts.add(b.length + 1);
        for (int cut = 0; cut <= b.length; cut++) {
            // The lines before the one the cut falls in, and those after it, parse as before.
            int li = 0;
            while (lineStarts.get(li + 1) <= cut) {
                li++;
            }
            int before = lineStarts.get(li);
            int after = Math.min(b.length, lineStarts.get(li + 1));
            Recorder head = parse(b, 0, before, new Recorder());
            Recorder tail = parse(b, after, b.length - after, new Recorder());
            Recorder r = new Recorder();
            parse(b, 0, cut, r);
            parse(b, cut, b.length - cut, r);
            assertThat(r.samples.subList(0, head.samples.size())).as("cut at %d", cut).isEqualTo(head.samples);
            assertThat(r.samples.subList(r.samples.size() - tail.samples.size(), r.samples.size()))
                    .as("cut at %d", cut).isEqualTo(tail.samples);
        }
    }

    @Test
    void aSecondParseOnTheSameInstanceGivesTheSameOutput() {
        byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
        Recorder first = parse(b, 0, b.length, new Recorder());
        Recorder second = parse(b, 0, b.length, new Recorder());
        assertThat(second.samples).isEqualTo(first.samples);
        assertThat(second.errors).isEqualTo(first.errors);
    }

    @Test
    void nothingOfAFailedLineLeaksIntoTheNextLineOrCall() {
        byte[] a = "m,a=1,b=2 x=1,y=\"s\" 5\nm,c=3 v=1,w=oops 6".getBytes(StandardCharsets.UTF_8);
        parse(a, 0, a.length, new Recorder());
        byte[] b = "n v=2\nn,d=4 v=3".getBytes(StandardCharsets.UTF_8);
        Recorder r = parse(b, 0, b.length, new Recorder());
        assertThat(r.samples).containsExactly(Sample.of("n_v", Map.of(), NO_TIME, 2), Sample.of("n_v", Map.of("d", "4"), NO_TIME, 3));
        assertThat(parser.line()).isEqualTo(2);
    }
}
