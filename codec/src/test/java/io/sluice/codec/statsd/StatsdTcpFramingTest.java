package io.sluice.codec.statsd;

import io.sluice.codec.LineFramer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * StatsD over TCP: a {@link LineFramer} per connection in front of the parser. However the stream
 * is cut into reads, the values and errors are those of the whole text parsed at once.
 */
class StatsdTcpFramingTest {
    private static final String TEXT = """
            api.requests:1|c|@0.25|#host:web-1,canary
            bad line
            load.time:320:200:17.5|ms|#route:/a
            _e{5,4}:title|text
            users.current:+10|g:-3|g
            users.unique:caf\u00e9|s:bob|s|#team:x\r
            q.depth:42|h|c:abcdef|#shard:3
            last:1|c""";

    private final StatsdParser parser = new StatsdParser(64);

    /** Feeds the chunks to a framer and the lines it gives to the parser; errors without line numbers. */
    private List<String> stream(List<byte[]> chunks) {
        StatsdRecorder r = new StatsdRecorder();
        LineFramer framer = new LineFramer(64);
        LineFramer.Lines lines = new LineFramer.Lines() {
            @Override
            public void lines(byte[] buf, int off, int len) {
                parser.parse(buf, off, len, r);
            }

            @Override
            public void tooLong(int length) {
                r.out.add("too long");
            }
        };
        for (byte[] c : chunks) {
            framer.feed(c, 0, c.length, lines);
        }
        framer.finish(lines);
        List<String> out = new ArrayList<>();
        for (String s : r.out) {
            out.add(s.replaceFirst("^error \\d+:", "error "));
        }
        return out;
    }

    private static List<byte[]> cut(byte[] b, int... at) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        for (int a : at) {
            chunks.add(java.util.Arrays.copyOfRange(b, from, a));
            from = a;
        }
        chunks.add(java.util.Arrays.copyOfRange(b, from, b.length));
        return chunks;
    }

    @Test
    void everySplitIntoTwoAndThreeReadsGivesTheSameValuesAsTheWholeText() {
        byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
        List<String> whole = stream(List.of(b));
        assertThat(whole).hasSize(12).contains("last{metric_type=counter} c 1.0")
                .anyMatch(s -> s.startsWith("error ") && s.contains("missing ':'"));
        for (int i = 0; i <= b.length; i++) {
            assertThat(stream(cut(b, i))).as("cut at %d", i).isEqualTo(whole);
            for (int j = i; j <= b.length; j += 7) {
                assertThat(stream(cut(b, i, j))).as("cuts at %d, %d", i, j).isEqualTo(whole);
            }
        }
    }

    @Test
    void byteByByteGivesTheSameValues() {
        byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
        List<byte[]> bytes = new ArrayList<>();
        for (byte x : b) {
            bytes.add(new byte[]{x});
        }
        assertThat(stream(bytes)).isEqualTo(stream(List.of(b)));
    }

    @Test
    void aLineSplitAcrossReadsPastTheLimitIsSkippedToItsNewlineAndReportedOnce() {
        byte[] b = ("ok:1|c\nhuge:" + "9".repeat(100) + "|c\nafter:2|c\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 8; i < 80; i += 13) {
            assertThat(stream(cut(b, i, i + 20, i + 40))).as("cuts from %d", i)
                    .containsExactly("ok{metric_type=counter} c 1.0", "too long", "after{metric_type=counter} c 2.0");
        }
        // Whole in one read, the parser itself refuses it.
        assertThat(stream(List.of(b))).containsExactly("ok{metric_type=counter} c 1.0",
                "error 1 line longer than 64 bytes", "after{metric_type=counter} c 2.0");
    }

    @Test
    void aClientThatNeverSendsANewlineHoldsNoMoreThanTheLimit() {
        LineFramer framer = new LineFramer(64);
        List<Integer> tooLong = new ArrayList<>();
        LineFramer.Lines lines = new LineFramer.Lines() {
            @Override
            public void lines(byte[] buf, int off, int len) {
                throw new AssertionError("no whole line was sent");
            }

            @Override
            public void tooLong(int length) {
                tooLong.add(length);
            }
        };
        byte[] chunk = "x".repeat(30).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 10_000; i++) {
            framer.feed(chunk, 0, chunk.length, lines);
            assertThat(framer.held()).isLessThanOrEqualTo(64);
        }
        assertThat(tooLong).containsExactly(90);
    }

    @Test
    void theLastLineWithoutNewlineIsParsedWhenTheStreamEnds() {
        assertThat(stream(List.of("a:1|c\nb:2".getBytes(StandardCharsets.UTF_8), "|g".getBytes(StandardCharsets.UTF_8))))
                .containsExactly("a{metric_type=counter} c 1.0", "b{metric_type=gauge} g 2.0");
    }
}
