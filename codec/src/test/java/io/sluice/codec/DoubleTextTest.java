package io.sluice.codec;

import com.fasterxml.jackson.core.io.schubfach.DoubleToDecimal;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checked against an independent implementation of the same specification (Jackson's port of
 * the JDK 19 {@code Double.toString}) and against reading the text back.
 */
class DoubleTextTest {
    private final byte[] buf = new byte[DoubleText.MAX_LENGTH + 8];

    private String text(double v) {
        int end = DoubleText.write(v, buf, 3);
        return new String(buf, 3, end - 3, StandardCharsets.US_ASCII);
    }

    private void same(double v) {
        String expected = DoubleToDecimal.toString(v);
        assertThat(text(v)).as("bits %016x", Double.doubleToRawLongBits(v)).isEqualTo(expected);
        if (Double.isFinite(v)) {
            assertThat(Double.parseDouble(expected)).isEqualTo(v);
        }
    }

    @Test
    void layoutMatchesDoubleToString() {
        assertThat(text(50.0)).isEqualTo("50.0");
        assertThat(text(-0.0)).isEqualTo("-0.0");
        assertThat(text(0.1)).isEqualTo("0.1");
        assertThat(text(0.001)).isEqualTo("0.001");
        assertThat(text(0.0001)).isEqualTo("1.0E-4");
        assertThat(text(1234567.5)).isEqualTo("1234567.5");
        assertThat(text(12345678.0)).isEqualTo("1.2345678E7");
        assertThat(text(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(text(2.82879384806159E17)).isEqualTo("2.82879384806159E17"); // Java 17 adds "008"
        assertThat(text(Double.MIN_VALUE)).isEqualTo("4.9E-324");
        assertThat(text(-Double.MIN_NORMAL)).isEqualTo("-2.2250738585072014E-308").hasSize(DoubleText.MAX_LENGTH);
        assertThat(text(Double.NaN)).isEqualTo("NaN");
        assertThat(text(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    }

    @Test
    void edgesOfTheFormat() {
        double[] edges = {0.0, -0.0, Double.MIN_VALUE, 2 * Double.MIN_VALUE, 3 * Double.MIN_VALUE,
                Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), Double.MAX_VALUE,
                Double.POSITIVE_INFINITY, 1e7, Math.nextDown(1e7), 1e-3, Math.nextDown(1e-3),
                (double) (1L << 53), (double) (1L << 53) + 2, (double) Long.MAX_VALUE, 9007199254740991.0,
                1e15, 1e16, 1e17, 1e22, 1e23, 5e-324, 1.7976931348623157e308};
        for (double v : edges) {
            same(v);
            same(-v);
        }
        for (int e = -1074; e <= 1023; e++) { // every power of two, where the interval below is narrower
            double v = Math.scalb(1.0, e);
            same(v);
            same(Math.nextUp(v));
            same(Math.nextDown(v));
        }
        for (int e = -323; e <= 308; e++) {
            double v = Double.parseDouble("1e" + e);
            same(v);
            same(Math.nextUp(v));
            same(Math.nextDown(v));
        }
    }

    @Test
    void randomBitPatterns() {
        SplittableRandom r = new SplittableRandom(20261123);
        for (int i = 0; i < 2_000_000; i++) {
            same(Double.longBitsToDouble(r.nextLong()));
        }
    }

    @Test
    void valuesMetricsCarry() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 500_000; i++) {
            same(50 + 30 * Math.sin(i / 500.0) + r.nextDouble()); // full precision, as the bench's data
            same(r.nextInt(100_000) / 100.0);                        // two decimals, as most gauges
            same(r.nextLong(1L << 53));                               // counters
            same(r.nextDouble() * Math.pow(10, r.nextInt(-12, 16)));  // every magnitude
        }
    }

    @Test
    void scalingHelpersAreExactOverTheirRange() {
        MathContext mc = new MathContext(60);
        BigDecimal log10of2 = new BigDecimal("0.301029995663981195213738894724493026768189881462108541310427");
        BigDecimal log2of10 = new BigDecimal("3.32192809488736234787031942948939017586483139302458061205476");
        BigDecimal log10ofThreeQuarters = new BigDecimal("-0.124938736608299953132449886193870744336250898733521217790989");
        for (int q = -1074 - 4; q <= 971 + 4; q++) {
            BigDecimal bq = BigDecimal.valueOf(q);
            assertThat(DoubleText.flog10pow2(q)).as("q=%d", q)
                    .isEqualTo(floor(bq.multiply(log10of2, mc)));
            assertThat(DoubleText.flog10ThreeQuartersPow2(q)).as("q=%d", q)
                    .isEqualTo(floor(bq.multiply(log10of2, mc).add(log10ofThreeQuarters, mc)));
        }
        for (int e = -330; e <= 330; e++) {
            assertThat(DoubleText.flog2pow10(e)).as("e=%d", e)
                    .isEqualTo(floor(BigDecimal.valueOf(e).multiply(log2of10, mc)));
        }
    }

    private static int floor(BigDecimal x) {
        return x.setScale(0, java.math.RoundingMode.FLOOR).intValueExact();
    }

    @Test
    void writesWithoutAllocating() {
        double[] values = new double[1000];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < values.length; i++) {
            values[i] = 50 + 30 * Math.sin(i / 50.0) + r.nextDouble();
        }
        long[] sum = {0};
        Runnable writeAll = () -> {
            for (double v : values) {
                sum[0] += DoubleText.write(v, buf, 0);
            }
        };
        for (int round = 0; round < 200; round++) { // JIT first
            writeAll.run();
        }
        long allocated = Allocation.bytes(() -> {
            for (int round = 0; round < 100; round++) {
                writeAll.run();
            }
        });
        // 100,000 values; a String each would be megabytes.
        assertThat(allocated).as("bytes allocated writing 100,000 doubles").isLessThan(16 * 1024);
        assertThat(sum[0]).isPositive();
    }
}
