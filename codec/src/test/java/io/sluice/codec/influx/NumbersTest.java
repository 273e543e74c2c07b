package io.sluice.codec.influx;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Integers and timestamps read as Long.parseLong reads them, or refused for the same reason. */
class NumbersTest {
    private static final long SEED = Long.getLong("sluice.seed", 0x5EED_2024_1129L);
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final Numbers numbers = new Numbers();

    private void assertReadAsJava(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        long v = numbers.parseLong(b, 0, b.length);
        int expected;
        long expectedValue = 0;
        if (!s.matches("-?[0-9]+")) {
            expected = Numbers.INVALID;
        } else {
            BigInteger big = new BigInteger(s);
            if (big.compareTo(MIN) < 0 || big.compareTo(MAX) > 0) {
                expected = Numbers.OVERFLOW;
            } else {
                expected = Numbers.OK;
                expectedValue = big.longValueExact();
            }
        }
        assertThat(numbers.status).as("status of %s", s).isEqualTo(expected);
        if (expected == Numbers.OK) {
            assertThat(v).as(s).isEqualTo(expectedValue);
        }
    }

    @Test
    void randomIntegersAndTimestamps() {
        Random r = new Random(SEED);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder(r.nextInt(8) == 0 ? "-" : "");
            int digits = r.nextInt(8) == 0 ? 1 + r.nextInt(25) : 16 + r.nextInt(5);
            for (int d = 0; d < digits; d++) {
                s.append((char) ('0' + r.nextInt(10)));
            }
            if (r.nextInt(10) == 0) { // a stray byte anywhere, of any value
                s.setCharAt(r.nextInt(s.length()), (char) r.nextInt(256));
            }
            assertReadAsJava(s.toString());
        }
    }

    @Test
    void edges() {
        for (String s : new String[] {"0", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                "-9223372036854775809", "00000000000000000000000000001", "-00000000000000000000009223372036854775808",
                "99999999999999999999", "1732280000000000000", "123456789012345678", "1234567890123456789", "-", "",
                "12345678a", "1234567812345678x", "+1", "1 "}) {
            assertReadAsJava(s);
        }
    }
}
