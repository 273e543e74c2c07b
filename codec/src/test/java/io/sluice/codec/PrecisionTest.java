package io.sluice.codec;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Timestamps become microseconds as exact arithmetic says, or "out of range". */
class PrecisionTest {
    private static final long[] MICROS_PER_UNIT = {0, 1, 1_000, 1_000_000, 60_000_000L, 3_600_000_000L};

    private static long expected(Precision p, long t) {
        BigInteger big = BigInteger.valueOf(t);
        BigInteger r = p == Precision.NANOSECONDS
                ? new java.math.BigDecimal(big).divide(java.math.BigDecimal.valueOf(1000), java.math.RoundingMode.FLOOR).toBigInteger()
                : big.multiply(BigInteger.valueOf(MICROS_PER_UNIT[p.ordinal()]));
        return r.bitLength() < 64 && r.longValue() != Long.MIN_VALUE ? r.longValue() : Long.MIN_VALUE;
    }

    @Test
    void everyPrecisionOnRandomAndEdgeTimestamps() {
        Random r = new Random(18);
        long[] edges = {0, 1, -1, 999, -999, 1000, -1000, -1001, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
                Long.MAX_VALUE / 1_000_000, Long.MAX_VALUE / 1_000_000 + 1, Long.MIN_VALUE / 3_600_000_000L,
                Long.MIN_VALUE / 3_600_000_000L - 1, 1732280000000000000L};
        for (Precision p : Precision.values()) {
            for (long t : edges) {
                assertThat(p.toMicros(t)).as("%s %d", p, t).isEqualTo(expected(p, t));
            }
            for (int i = 0; i < 100_000; i++) {
                long t = r.nextLong() >> r.nextInt(64);
                assertThat(p.toMicros(t)).as("%s %d", p, t).isEqualTo(expected(p, t));
            }
        }
    }
}
