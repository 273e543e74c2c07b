package io.sluice.codec.influx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The float reader gives bit for bit what Double.parseDouble gives, on every path. */
class FloatParserTest {
    private static final long SEED = Long.getLong("sluice.seed", 0x5EED_2024_1122L);

    private static void assertSameAsJava(String s, String why) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        double ours = FloatParser.parse(b, 0, b.length);
        double java = Double.parseDouble(s);
        assertThat(Double.doubleToRawLongBits(ours)).as("%s: %s read as %s, Java reads %s", why, s, ours, java)
                .isEqualTo(Double.doubleToRawLongBits(java));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "0.0", "-0.0", "1", "9007199254740993", "9007199254740992.5", "123456789012345678",
            "1234567890123456789", "12345678901234567890", "0.1", "0.30000000000000004", "2.2250738585072011e-308",
            "2.2250738585072014e-308", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e23", "8.98846567431158e307",
            "1e-350", "1e400", "0e999999", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124", "7.3177701707893310e+15", "5e-324", "1e22", "1e-22",
            "100000000000000000000000", "0.000000000000000000000000000001"})
    void knownHardCasesReadAsJavaReadsThem(String s) {
        assertSameAsJava(s, "hard case");
    }

    @Test
    void randomDecimalsReadAsJavaReadsThem() {
        Random r = new Random(SEED);
        for (int i = 0; i < 300_000; i++) {
            double d = Double.longBitsToDouble(r.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL);
            String s = switch (r.nextInt(6)) {
                case 0 -> Double.toString(d);
                case 1 -> Double.toString(RoundTripTest.value(r));
                case 2 -> (r.nextBoolean() ? "-" : "") + r.nextInt(100_000) + "." + r.nextInt(100_000);
                case 3 -> r.nextInt(1000) + "e" + (r.nextInt(700) - 350);
                case 4 -> new BigDecimal(d).round(new MathContext(1 + r.nextInt(19))).toString();
                // Near-halfway: d plus half an ulp, cut to 17..19 digits.
                default -> new BigDecimal(d).add(new BigDecimal(Math.ulp(d)).divide(BigDecimal.valueOf(2)))
                        .round(new MathContext(17 + r.nextInt(3))).toString();
            };
            assertSameAsJava(s, "seed " + SEED + ", case " + i);
        }
    }

    /** Long runs of digits, read eight at a time: leading zeros, zeros inside, every length around 8, 16 and 19. */
    @Test
    void longDigitRunsReadAsJavaReadsThem() {
        Random r = new Random(SEED);
        for (int i = 0; i < 300_000; i++) {
            StringBuilder s = new StringBuilder(r.nextInt(4) == 0 ? "-" : "");
            digits(r, s, r.nextInt(26));
            if (s.isEmpty() || s.charAt(s.length() - 1) == '-' || r.nextBoolean()) {
                s.append('.');
                digits(r, s, r.nextInt(26));
            }
            if (!s.toString().matches("-?\\.?")) {
                if (r.nextInt(8) == 0) {
                    s.append('e').append(r.nextInt(40) - 20);
                }
                assertSameAsJava(s.toString(), "seed " + SEED + ", case " + i);
            }
        }
        for (String s : new String[] {"00000000", "0000000000000000.00000000", "12345678", "1234567812345678",
                "12345678123456781234567", "0.00000001", "0.0000000000000000123456789012345678", "10000000.00000001",
                "99999999999999999999.9", "1234567.12345678", "00000001234567890123456789"}) {
            assertSameAsJava(s, "edge");
        }
    }

    /**
     * Plain decimals (the shortcut's domain and just past it): every length of digits to 17, the
     * point at every place or absent, a sign, leading and trailing zeros, and stray bytes. The
     * shortcut answers what the general reader answers, and both what Java answers.
     */
    @Test
    void plainDecimalsReadAsTheGeneralReaderAndJavaReadThem() {
        Random r = new Random(SEED);
        String[] stray = {"", "", "", ".", "e1", "-", "x", " ", "..", "E-2"};
        for (int i = 0; i < 200_000; i++) {
            int n = r.nextInt(18);
            StringBuilder s = new StringBuilder(r.nextInt(3) == 0 ? "-" : "");
            digits(r, s, n);
            int point = r.nextInt(n + 2) - 1; // -1: no point
            if (point >= 0) {
                s.insert(s.length() - n + point, '.');
            }
            s.append(stray[r.nextInt(stray.length)]);
            byte[] b = s.toString().getBytes(StandardCharsets.US_ASCII);
            double ours = FloatParser.parse(b, 0, b.length);
            double general = FloatParser.general(b, 0, b.length);
            assertThat(Double.doubleToRawLongBits(ours)).as("seed %s, case %s: %s", SEED, i, s)
                    .isEqualTo(Double.doubleToRawLongBits(general));
            if (!Double.isNaN(general)) {
                assertSameAsJava(s.toString(), "seed " + SEED + ", case " + i);
            }
        }
        for (String s : new String[] {"0", "-0", "0.", "-0.", ".0", "-.0", "000000000000000", "999999999999999",
                "99999999999999.9", ".999999999999999", "9999999999999999", "1234567890.12345", "-1.", "7.", "0.5"}) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            assertThat(Double.doubleToRawLongBits(FloatParser.parse(b, 0, b.length))).as(s)
                    .isEqualTo(Double.doubleToRawLongBits(FloatParser.general(b, 0, b.length)));
            assertSameAsJava(s, "edge");
        }
    }

    private static void digits(Random r, StringBuilder s, int n) {
        int zeros = r.nextInt(3) == 0 ? r.nextInt(n + 1) : 0; // leading zeros
        for (int d = 0; d < n; d++) {
            s.append(d < zeros ? '0' : (char) ('0' + (r.nextInt(4) == 0 ? 0 : r.nextInt(10))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+1", ".", "-.", "e5", ".e5", "1e", "1e+", "1e-", "1.2.3", "1..2", "--1", "1-",
            "NaN", "Infinity", "-Infinity", "0x1p3", "1d", "1f", " 1", "1 ", "1_0"})
    void whatIsNotALineProtocolFloatIsNaN(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        assertThat(FloatParser.parse(b, 0, b.length)).isNaN();
    }
}
