package io.sluice.codec.influx;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Eight bytes at a time answer what the byte loops answer, for integers, lines and every byte value. */
class Digits8Test {
    private static final long SEED = Long.getLong("sluice.seed", 0x5EED_2024_1129L);

    @Test
    void eightDigitsOrMinusOneForEveryByteInEveryPlace() {
        byte[] b = "12345678".getBytes(StandardCharsets.US_ASCII);
        assertThat(Digits8.value(b, 0)).isEqualTo(12_345_678);
        for (int at = 0; at < 8; at++) {
            for (int v = 0; v < 256; v++) {
                byte[] c = "90817263".getBytes(StandardCharsets.US_ASCII);
                c[at] = (byte) v;
                long expected = v >= '0' && v <= '9' ? Long.parseLong(new String(c, StandardCharsets.ISO_8859_1)) : -1;
                assertThat(Digits8.value(c, 0)).as("byte 0x%02X at %d", v, at).isEqualTo(expected);
            }
        }
        Random r = new Random(SEED);
        for (int i = 0; i < 100_000; i++) {
            String s = String.format("%08d", r.nextInt(100_000_000));
            assertThat(Digits8.value(s.getBytes(StandardCharsets.US_ASCII), 0)).isEqualTo(Long.parseLong(s));
        }
    }

    @Test
    void theFirstNewlineWhereverItIs() {
        Random r = new Random(SEED);
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[r.nextInt(40)];
            for (int j = 0; j < b.length; j++) {
                // Mostly bytes next to LF's value, where a word trick would slip.
                b[j] = (byte) (r.nextInt(4) == 0 ? '\n' : r.nextBoolean() ? r.nextInt(256) : 0x0A ^ (1 << r.nextInt(8)));
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length);
            int end = from + r.nextInt(b.length - from + 1);
            int expected = from;
            while (expected < end && b[expected] != '\n') {
                expected++;
            }
            assertThat(Digits8.newline(b, from, end)).isEqualTo(expected);
        }
    }
}
