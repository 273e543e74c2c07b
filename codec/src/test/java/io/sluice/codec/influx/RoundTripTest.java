package io.sluice.codec.influx;

import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties over seeded random input (run again with {@code -Dsluice.seed=N} to replay a failure):
 * whatever the encoder writes, the parser reads back to the same samples; and whatever bytes come
 * in, each line gives samples or one error, never both, never an exception.
 */
class RoundTripTest {
    private static final long SEED = Long.getLong("sluice.seed", 0x5EED_2024_1122L);
    /** Characters that need escaping or could confuse a parser, plus multi-byte ones. */
    private static final int[] ALPHABET = "abcXYZ09_-.:/ ,=\\\"'#é€中😀".codePoints().toArray();
    /** String field values may hold control characters too, newlines included. */
    private static final int[] STRING_ALPHABET = "abcXYZ09_-.:/ ,=\\\"'#é€中😀\t\r\n\u0001".codePoints().toArray();

    private static String name(Random r, int max) {
        return text(r, max, ALPHABET);
    }

    private static String text(Random r, int max, int[] alphabet) {
        StringBuilder sb = new StringBuilder();
        for (int n = 1 + r.nextInt(max); n > 0; n--) {
            sb.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
        }
        // Line protocol cannot carry a name ending with a backslash (it would escape the delimiter).
        if (sb.charAt(sb.length() - 1) == '\\') {
            sb.append('x');
        }
        return sb.toString();
    }

    static double value(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> r.nextInt(1000);
            case 1 -> r.nextGaussian() * 1e6;
            case 2 -> Double.longBitsToDouble(r.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL) * (r.nextBoolean() ? 1 : -1);
            case 3 -> r.nextDouble();
            case 4 -> r.nextDouble() * 100; // 16-17 digit percentages, as Telegraf sends them
            case 5 -> Double.MIN_VALUE * r.nextInt(1 << 20); // subnormals
            default -> Math.round(r.nextDouble() * 1e4) / 100.0;
        };
    }

    @Test
    void encodeThenParseGivesBackTheSameSamples() {
        Random r = new Random(SEED);
        LineProtocolParser parser = new LineProtocolParser();
        for (int round = 0; round < 3000; round++) {
            StringBuilder text = new StringBuilder();
            List<Sample> expected = new ArrayList<>();
            int strings = 0;
            Precision p = Precision.values()[r.nextInt(Precision.values().length)];
            long unit = Math.max(1, -p.toMicros(-1)); // micros in one unit; 1 for ns and us
            for (int l = 1 + r.nextInt(5); l > 0; l--) {
                String m = name(r, 12);
                if (m.charAt(0) == '#') {
                    m = "m" + m; // a comment: not a measurement
                }
                Map<String, String> tags = new LinkedHashMap<>();
                for (int t = r.nextInt(5); t > 0; t--) {
                    tags.put(name(r, 8), name(r, 8));
                }
                long time = r.nextInt(4) == 0 ? SampleSink.NO_TIME
                        : (r.nextLong() % 4_000_000_000_000_000L) / unit * unit;
                Map<String, Object> fields = new LinkedHashMap<>();
                for (int f = 1 + r.nextInt(4); f > 0; f--) {
                    String key = r.nextInt(5) == 0 ? "value" : name(r, 8);
                    Object v = switch (r.nextInt(6)) {
                        case 0 -> r.nextLong();
                        case 1 -> r.nextBoolean();
                        case 2 -> text(r, 10, STRING_ALPHABET);
                        default -> value(r);
                    };
                    fields.put(key, v);
                }
                LineProtocolEncoder.appendLine(text, m, tags, fields, time, p);
                for (Map.Entry<String, Object> f : fields.entrySet()) {
                    Object v = f.getValue();
                    if (v instanceof String) {
                        strings++;
                        continue;
                    }
                    double d = v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
                    String metric = f.getKey().equals("value") ? m : m + "_" + f.getKey();
                    expected.add(Sample.of(metric, new java.util.TreeMap<>(tags), time, d));
                }
            }
            Recorder rec = new Recorder();
            byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
            int n = parser.parse(b, 0, b.length, p, rec);
            String why = "seed " + SEED + ", round " + round + ", precision " + p + ":\n" + text;
            assertThat(rec.errors).as(why).isEmpty();
            assertThat(rec.samples).as(why).isEqualTo(expected);
            assertThat(n).as(why).isEqualTo(expected.size());
            assertThat(rec.skipped).as(why).isEqualTo(strings);
        }
    }

    @Test
    void anyInputGivesEachLineSamplesOrOneErrorNeverBoth() {
        Random r = new Random(SEED);
        byte[] alphabet = "mvt=, \"\\#\n\r\t0123456789.-+eEiuTtfF\u00e9".getBytes(StandardCharsets.UTF_8);
        LineProtocolParser parser = new LineProtocolParser();
        Map<Integer, Integer> errorsPerLine = new LinkedHashMap<>();
        Set<Integer> linesWithSamples = new HashSet<>();
        SampleSink sink = new SampleSink() {
            @Override
            public void sample(SeriesKey key, long timeMicros, double value, long step) {
                linesWithSamples.add(parser.line());
                assertThat(Double.isFinite(value)).isTrue();
                assertThat(key.metricLength()).isBetween(1, SeriesKey.MAX_NAME_BYTES);
            }

            @Override
            public void error(ParseError error) {
                errorsPerLine.merge(error.line(), 1, Integer::sum);
                assertThat(error.position()).isPositive();
                assertThat(error.text().length()).isLessThanOrEqualTo(ParseError.MAX_TEXT);
            }
        };
        int goodLines = 0;
        int badLines = 0;
        for (int round = 0; round < 20_000; round++) {
            // Valid lines with a few random edits: near misses find more than pure noise.
            StringBuilder text = new StringBuilder();
            for (int l = 1 + r.nextInt(4); l > 0; l--) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put(name(r, 4), r.nextInt(3) == 0 ? (Object) r.nextLong() : value(r));
                fields.put(name(r, 4), r.nextBoolean());
                LineProtocolEncoder.appendLine(text, "m" + name(r, 4), Map.of(name(r, 3), name(r, 3)), fields,
                        r.nextBoolean() ? SampleSink.NO_TIME : r.nextLong() % 1_000_000_000_000_000L, Precision.MICROSECONDS);
            }
            byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
            for (int edits = r.nextInt(4); edits > 0 && b.length > 0; edits--) {
                int at = r.nextInt(b.length);
                b[at] = r.nextInt(20) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
            }
            errorsPerLine.clear();
            linesWithSamples.clear();
            String why = "seed " + SEED + ", round " + round + ": " + new String(b, StandardCharsets.ISO_8859_1);
            parser.parse(b, 0, b.length, Precision.MICROSECONDS, sink);
            assertThat(errorsPerLine.values()).as(why).allMatch(n -> n == 1);
            Set<Integer> both = new HashSet<>(linesWithSamples);
            both.retainAll(errorsPerLine.keySet());
            assertThat(both).as(why).isEmpty();
            goodLines += linesWithSamples.size();
            badLines += errorsPerLine.size();
        }
        // Both outcomes were exercised, not just one.
        assertThat(goodLines).isGreaterThan(1000);
        assertThat(badLines).isGreaterThan(1000);
    }
}
