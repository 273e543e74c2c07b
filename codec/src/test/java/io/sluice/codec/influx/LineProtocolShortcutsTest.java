package io.sluice.codec.influx;

import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parser's shortcuts for the common line answer what the rules say for every other line too:
 * a timestamp read to the end of the line at once (and looked at token by token only when that
 * fails), a single field's key not hashed until a second one comes, names copied while their end
 * is looked for. Each case is checked against what the rules give, worked out here independently.
 */
class LineProtocolShortcutsTest {
    private static final long SEED = Long.getLong("sluice.seed", 0x5EED_2026_1129L);
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final LineProtocolParser parser = new LineProtocolParser();

    private Recorder parse(String text, Precision p) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        Recorder r = new Recorder();
        assertThat(parser.parse(b, 0, b.length, p, r)).isEqualTo(r.samples.size());
        return r;
    }

    /**
     * Timestamps of every length around 19 digits, signed or not, followed by nothing, spaces, a
     * CR, another token or stray bytes, in every precision: the time, or the one error the rules
     * give, with its position.
     */
    @Test
    void timestampsAreReadOrRefusedAsTheRulesSay() {
        Random r = new Random(SEED);
        String[] tails = {"", "", "", " ", "  ", "\r", " \r", " 5", "x", " x", "-", "5 ", "\t", "e3"};
        for (int i = 0; i < 100_000; i++) {
            Precision precision = Precision.values()[r.nextInt(Precision.values().length)];
            StringBuilder ts = new StringBuilder(r.nextInt(5) == 0 ? "-" : "");
            int digits = r.nextInt(23);
            for (int d = 0; d < digits; d++) {
                ts.append((char) ('0' + r.nextInt(10)));
            }
            String tail = tails[r.nextInt(tails.length)];
            String line = "m,t=a v=1 " + ts + tail;
            Recorder got = parse(line, precision);
            String what = "seed " + SEED + ", case " + i + ": '" + line + "' in " + precision;

            // The rules: the timestamp is the token after the fields; only spaces may follow it (a
            // CR before the LF belongs to the line's end); it is a signed 64-bit decimal.
            String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            int start = "m,t=a v=1 ".length();
            start += spaces(text, start);
            String token = text.substring(start).split(" ", -1)[0];
            String after = text.substring(start + token.length() + spaces(text, start + token.length()));
            String reason = null;
            int position = start + 1;
            long micros = 0;
            if (token.isEmpty() && after.isEmpty()) {
                micros = Long.MIN_VALUE; // none given
            } else if (!token.matches("-?[0-9]+")) {
                reason = "invalid timestamp";
            } else if (new BigInteger(token).compareTo(MIN) < 0 || new BigInteger(token).compareTo(MAX) > 0) {
                reason = "timestamp out of range";
            } else if (!after.isEmpty()) {
                reason = "unexpected text after the timestamp";
                position = text.length() - after.length() + 1;
            } else {
                micros = precision.toMicros(Long.parseLong(token));
                if (micros == Long.MIN_VALUE) {
                    reason = "timestamp out of range";
                }
            }
            if (reason == null) {
                assertThat(got.errors).as(what).isEmpty();
                assertThat(got.samples).as(what).extracting(Sample::time).containsExactly(micros);
            } else {
                assertThat(got.samples).as(what).isEmpty();
                assertThat(got.errors).as(what).extracting(ParseError::reason, ParseError::position)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(reason, position));
            }
        }
    }

    private static int spaces(String s, int from) {
        int n = 0;
        while (from + n < s.length() && s.charAt(from + n) == ' ') {
            n++;
        }
        return n;
    }

    /**
     * Field sets with keys given twice or more (the last value wins), keys whose Java hashes are
     * equal ("Aa" and "BB"), and single fields: one sample a distinct key, in the order of first
     * appearance, with its last value.
     */
    @Test
    void fieldKeysGivenAgainKeepTheLastValueAndEqualHashesStayApart() {
        Random r = new Random(SEED);
        String[] keys = {"value", "Aa", "BB", "AaAa", "BBBB", "AaBB", "BBAa", "v", "x"};
        for (int i = 0; i < 20_000; i++) {
            int n = 1 + r.nextInt(r.nextBoolean() ? 1 : 6);
            Map<String, Integer> expected = new LinkedHashMap<>();
            List<String> fields = new ArrayList<>();
            for (int f = 0; f < n; f++) {
                String k = keys[r.nextInt(keys.length)];
                int v = r.nextInt(1000);
                fields.add(k + "=" + v);
                expected.put(k, v);
            }
            Recorder got = parse("m " + String.join(",", fields) + " 1000", Precision.MICROSECONDS);
            List<Sample> want = new ArrayList<>();
            expected.forEach((k, v) -> want.add(Sample.of(k.equals("value") ? "m" : "m_" + k, Map.of(), 1000, v)));
            assertThat(got.errors).isEmpty();
            assertThat(got.samples).as("seed %s, case %s: %s", SEED, i, fields).isEqualTo(want);
        }
    }

    /**
     * The one-pass prefix against the general path, on random lines: names from an alphabet of
     * delimiters, escapes, quotes, control characters, UTF-8 and broken UTF-8, duplicate tag keys,
     * names around their limits, then bytes inserted, removed or changed anywhere. Both parsers
     * give the same samples (names, tags, times, values), the same errors (line, position,
     * reason, excerpt) and the same count of skipped fields.
     */
    @Test
    void theOnePassPrefixAnswersAsTheGeneralPath() {
        Random r = new Random(SEED);
        LineProtocolParser general = new LineProtocolParser(false);
        for (int i = 0; i < 30_000; i++) {
            StringBuilder body = new StringBuilder();
            int lines = 1 + r.nextInt(4);
            for (int l = 0; l < lines; l++) {
                body.append(randomLine(r)).append(r.nextInt(5) == 0 ? "\r\n" : "\n");
            }
            byte[] b = mutate(r, body.toString().getBytes(StandardCharsets.UTF_8));
            Recorder fast = new Recorder();
            Recorder slow = new Recorder();
            Precision precision = Precision.values()[r.nextInt(Precision.values().length)];
            int n = parser.parse(b, 0, b.length, precision, fast);
            assertThat(general.parse(b, 0, b.length, precision, slow)).isEqualTo(n);
            String what = "seed " + SEED + ", case " + i + ": " + new String(b, StandardCharsets.ISO_8859_1);
            assertThat(fast.samples).as(what).isEqualTo(slow.samples);
            assertThat(fast.errors).as(what).isEqualTo(slow.errors);
            assertThat(fast.skipped).as(what).isEqualTo(slow.skipped);
        }
    }

    private static final String[] PIECES = {"a", "b", "cpu", "host", "h1", "value", "x", "1", "0", ",", ",", "=", "=", " ",
            "\\", "\\ ", "\\,", "\\=", "\"", "#", "\t", "\r", "\u007f", "\u0001", "\u00e9", "\u20ac", "\ud83d\ude00", "-", "."};

    private static String name(Random r) {
        if (r.nextInt(40) == 0) {
            return "n".repeat(250 + r.nextInt(10)); // around the 256-byte limit
        }
        if (r.nextInt(80) == 0) {
            return "w".repeat(1020 + r.nextInt(8)); // around a tag value's 1,024
        }
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            s.append(r.nextInt(3) == 0 ? PIECES[r.nextInt(PIECES.length)] : PIECES[r.nextInt(8)]);
        }
        return s.toString();
    }

    private static String randomLine(Random r) {
        StringBuilder s = new StringBuilder(r.nextInt(10) == 0 ? " " : "").append(name(r));
        int tags = r.nextInt(5);
        String repeated = name(r);
        for (int t = 0; t < tags; t++) {
            s.append(',').append(r.nextInt(6) == 0 ? repeated : name(r)).append('=').append(name(r));
        }
        s.append(r.nextInt(8) == 0 ? "  " : " ");
        int fields = 1 + r.nextInt(3);
        for (int f = 0; f < fields; f++) {
            s.append(f > 0 ? "," : "").append(name(r)).append('=');
            s.append(switch (r.nextInt(9)) {
                case 0 -> "\"" + name(r) + "\"";
                case 1 -> r.nextInt(100) + (r.nextBoolean() ? "i" : "u");
                case 2 -> "true";
                case 3 -> (r.nextBoolean() ? "-" : "") + r.nextInt(1000) + "e" + (r.nextInt(20) - 10);
                case 4 -> "1234567890123456.5".substring(r.nextInt(17)); // around 15 digits
                case 5 -> "-.5.";
                default -> (r.nextBoolean() ? "-" : "") + Double.toString(r.nextInt(100_000) / 8.0);
            });
        }
        if (r.nextBoolean()) {
            s.append(' ').append(Math.abs(r.nextLong()) % 2_000_000_000_000_000_000L);
        }
        return s.toString();
    }

    private static byte[] mutate(Random r, byte[] b) {
        if (r.nextBoolean()) {
            return b;
        }
        byte[] special = {',', '=', ' ', '\\', '"', '\n', '\r', 0, 0x7F, (byte) 0xC3, (byte) 0xFF, 'a'};
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int at = r.nextInt(b.length + 1);
        out.write(b, 0, at);
        switch (r.nextInt(3)) {
            case 0 -> out.write(special[r.nextInt(special.length)]);
            case 1 -> at = Math.min(b.length, at + 1); // removes a byte
            default -> {
                out.write(special[r.nextInt(special.length)]);
                at = Math.min(b.length, at + 1); // replaces one
            }
        }
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    /** Names are copied as their end is looked for: every length around each limit, plain and with escapes after. */
    @Test
    void namesOfEveryLengthAroundTheirLimitsAreKeptWholeOrRefused() {
        for (int len = 250; len <= 262; len++) {
            String name = "n".repeat(len);
            check("measurement", 256, len, name + " value=1", name, null, null);
            check("measurement", 256, len + 1, name + "\\  value=1", name + " ", null, null);
            check("tag key", 256, len, "m," + name + "=v value=1", "m", name, "v");
            check("field key", 256, len, "m " + name + "=1", "m_" + name, null, null);
        }
        for (int len : new int[] {1_000, 5_000, 70_000}) { // far past: the copy stops one past the limit
            String name = "n".repeat(len);
            check("measurement", 256, len, name + " value=1", name, null, null);
            check("tag key", 256, len, "m," + name + "=v value=1", "m", name, "v");
            check("field key", 256, len, "m " + name + "=1", "m_" + name, null, null);
            check("tag value", 1024, len, "m,t=" + name + " value=1", "m", "t", name);
        }
        for (int len = 1018; len <= 1030; len++) {
            String value = "w".repeat(len);
            check("tag value", 1024, len, "m,t=" + value + " value=1", "m", "t", value);
            check("tag value", 1024, len + 1, "m,t=" + value + "\\, value=1", "m", "t", value + ",");
        }
    }

    private void check(String what, int limit, int unescaped, String line, String metric, String tagKey, String tagValue) {
        Recorder got = parse(line, Precision.NANOSECONDS);
        boolean metricTooLong = what.equals("field key") && metric.length() > 256;
        if (unescaped > limit) {
            assertThat(got.errors).as(line).extracting(ParseError::reason).containsExactly(what + " longer than " + limit + " bytes");
            assertThat(got.samples).isEmpty();
        } else if (metricTooLong) {
            assertThat(got.errors).as(line).extracting(ParseError::reason)
                    .containsExactly("metric name measurement_field longer than 256 bytes");
        } else {
            assertThat(got.errors).as(line).isEmpty();
            Map<String, String> tags = tagKey == null ? Map.of() : Map.of(tagKey, tagValue);
            assertThat(got.samples).as(line).extracting(Sample::metric, Sample::tags)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(metric, tags));
        }
    }
}
