package io.sluice.codec.influx;

import io.sluice.codec.Precision;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Property: whatever the encoder writes, the parser reads back to the same samples. */
class RoundTripTest {
    private static final String ALPHABET = "abcXYZ09_-.:/ ,=\\\"'#é€😀\t";

    private static String name(Random r, int max) {
        int n = 1 + r.nextInt(max);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0, r.nextInt(ALPHABET.codePointCount(0, ALPHABET.length())))));
        }
        return sb.toString();
    }

    private static double value(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> r.nextInt(1000);
            case 1 -> r.nextGaussian() * 1e6;
            case 2 -> Double.longBitsToDouble(r.nextLong() & 0x7FEFFFFFFFFFFFFFL) * (r.nextBoolean() ? 1 : -1);
            case 3 -> r.nextDouble();
            default -> Math.round(r.nextDouble() * 1e4) / 100.0;
        };
    }

    @Test
    void encodeThenParseGivesBackTheSameSamples() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        LineProtocolParser parser = new LineProtocolParser();
        for (int round = 0; round < 3000; round++) {
            StringBuilder text = new StringBuilder();
            List<Sample> expected = new ArrayList<>();
            Precision p = Precision.values()[r.nextInt(Precision.values().length)];
            int lines = 1 + r.nextInt(5);
            for (int l = 0; l < lines; l++) {
                String m = name(r, 12);
                // A leading '#' would make a comment, leading whitespace is skipped: not names.
                if (m.startsWith("#") || m.startsWith(" ") || m.startsWith("\t")) {
                    m = "m" + m;
                }
                TreeMap<String, String> tags = new TreeMap<>();
                for (int t = r.nextInt(4); t > 0; t--) {
                    tags.put(name(r, 8), name(r, 8));
                }
                String field = r.nextInt(4) == 0 ? "value" : name(r, 8);
                double v = value(r);
                long unit = switch (p) {
                    case NANOSECONDS, MICROSECONDS -> 1;
                    case MILLISECONDS -> 1_000;
                    case SECONDS -> 1_000_000;
                    case MINUTES -> 60_000_000L;
                    case HOURS -> 3_600_000_000L;
                };
                long t = r.nextBoolean() ? io.sluice.codec.SampleSink.NO_TIME
                        : (r.nextLong() % 4_000_000_000_000_000L) / unit * unit;
                LineProtocolEncoder.appendLine(text, m, tags, field, v, t, p);
                expected.add(new Sample(field.equals("value") ? m : m + "_" + field, tags, t, v,
                        io.sluice.codec.SampleSink.NO_STEP));
            }
            Recorder rec = new Recorder();
            byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
            parser.parse(b, 0, b.length, p, rec);
            assertThat(rec.errors).as("seed %d round %d:\n%s", seed, round, text).isEmpty();
            assertThat(rec.samples).as("seed %d round %d:\n%s", seed, round, text).isEqualTo(expected);
        }
    }

    @Test
    void floatsReadExactlyAsDoubleParseDouble() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 200_000; i++) {
            String s = switch (r.nextInt(4)) {
                case 0 -> Double.toString(value(r));
                case 1 -> (r.nextBoolean() ? "-" : "") + r.nextInt(100000) + "." + r.nextInt(100000);
                case 2 -> r.nextInt(1000) + "e" + (r.nextInt(60) - 30);
                default -> String.format("%." + r.nextInt(20) + "f", r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10));
            };
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            assertThat(FloatParser.parse(b, 0, b.length)).as("seed %d: %s", seed, s).isEqualTo(Double.parseDouble(s));
        }
    }
}
