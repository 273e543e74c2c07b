package io.sluice.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BytesMapTest {
    private static final Object SCOPE = new Object();
    private static final int ABSENT = -1;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int get(BytesMap m, byte[] k, int split, Object scope) {
        int h = SeriesKey.writtenHash(k, 0, split, k, split, k.length - split);
        return m.get(h, scope, k, 0, split, k, split, k.length - split, ABSENT);
    }

    private static void put(BytesMap m, byte[] k, int split, Object scope, int v) {
        int h = SeriesKey.writtenHash(k, 0, split, k, split, k.length - split);
        m.put(h, scope, k, 0, split, k, split, k.length - split, v);
    }

    @Test
    void aValueComesBackOnlyForTheSameBytesSplitTheSameWayInTheSameScope() {
        BytesMap m = new BytesMap(64, 32);
        byte[] k = b("cpu,host=avalue");
        put(m, k, 10, SCOPE, 7);
        assertThat(get(m, k, 10, SCOPE)).isEqualTo(7);
        assertThat(get(m, b("cpu,host=avalue"), 10, SCOPE)).isEqualTo(7);
        assertThat(get(m, k, 11, SCOPE)).isEqualTo(ABSENT);
        assertThat(get(m, k, 10, new Object())).isEqualTo(ABSENT);
        assertThat(get(m, b("cpu,host=bvalue"), 10, SCOPE)).isEqualTo(ABSENT);
        // The same hash with other bytes (a caller's collision) is not a match either.
        int h = SeriesKey.writtenHash(k, 0, 10, k, 10, 5);
        byte[] other = b("cpu,host=xvalue");
        assertThat(m.get(h, SCOPE, other, 0, 10, other, 10, 5, ABSENT)).isEqualTo(ABSENT);
        m.clear();
        assertThat(get(m, k, 10, SCOPE)).isEqualTo(ABSENT);
        assertThat(m.size()).isZero();
    }

    /** The word-at-a-time comparison answers as Arrays.equals: every length to 40, offsets, one byte changed anywhere. */
    @Test
    void bytesCompareAsArraysEqualsDoes() {
        Random r = new Random(42);
        for (int len = 0; len <= 40; len++) {
            for (int round = 0; round < 200; round++) {
                byte[] a = new byte[len + 16];
                r.nextBytes(a);
                int aOff = r.nextInt(9);
                int bOff = r.nextInt(9);
                byte[] b = new byte[len + 16];
                r.nextBytes(b);
                System.arraycopy(a, aOff, b, bOff, len);
                assertThat(BytesMap.same(a, aOff, b, bOff, len)).isTrue();
                if (len > 0) {
                    int at = round % len;
                    b[bOff + at] ^= (byte) (1 << r.nextInt(8));
                    assertThat(BytesMap.same(a, aOff, b, bOff, len)).as("length %s, changed at %s", len, at)
                            .isEqualTo(Arrays.equals(a, aOff, aOff + len, b, bOff, bOff + len)).isFalse();
                }
            }
        }
    }

    /** Keys of every length to the limit, many sharing a hash, prefixes or a split: each found with its own value only. */
    @Test
    void keysOfEveryLengthAreFoundExactly() {
        BytesMap m = new BytesMap(4096, 64);
        Random r = new Random(7);
        java.util.Map<String, Integer> held = new java.util.HashMap<>();
        for (int i = 0; i < 600; i++) {
            byte[] k = new byte[1 + r.nextInt(64)];
            for (int j = 0; j < k.length; j++) {
                k[j] = (byte) ('a' + r.nextInt(3)); // few letters: keys share long runs
            }
            int split = r.nextInt(k.length + 1);
            String name = new String(k, StandardCharsets.ISO_8859_1) + "|" + split;
            if (held.containsKey(name)) {
                continue;
            }
            int h = k.length; // keys of one length share a hash: only the bytes and the split tell them apart
            assertThat(m.get(h, SCOPE, k, 0, split, k, split, k.length - split, ABSENT)).as("new key %s", name).isEqualTo(ABSENT);
            m.put(h, SCOPE, k, 0, split, k, split, k.length - split, i);
            assertThat(m.get(h, SCOPE, k, 0, split, k, split, k.length - split, ABSENT)).as(name).isEqualTo(i);
            held.put(name, i);
        }
        held.forEach((name, v) -> {
            int bar = name.lastIndexOf('|');
            byte[] k = name.substring(0, bar).getBytes(StandardCharsets.ISO_8859_1);
            int split = Integer.parseInt(name.substring(bar + 1));
            // Replaced in turn when its window filled, or still there: never another key's value.
            assertThat(m.get(k.length, SCOPE, k, 0, split, k, split, k.length - split, ABSENT)).as(name).isIn(v, ABSENT);
        });
    }

    @Test
    void holdsNoMoreKeysThanSlotsAndNoLongerKeysThanItsLimit() {
        BytesMap m = new BytesMap(16, 32);
        assertThat(m.fits(20, 12)).isTrue();
        assertThat(m.fits(20, 13)).isFalse();
        for (int i = 0; i < 1000; i++) {
            byte[] k = b("key" + i);
            if (get(m, k, 2, SCOPE) == ABSENT) {
                put(m, k, 2, SCOPE, i);
            }
            assertThat(get(m, k, 2, SCOPE)).isEqualTo(i);
        }
        assertThat(m.size()).isEqualTo(16);
        for (int i = 0; i < 1000; i++) {
            int v = get(m, b("key" + i), 2, SCOPE);
            assertThat(v).isIn(ABSENT, i);
        }
        assertThatThrownBy(() -> new BytesMap(12, 32)).isInstanceOf(IllegalArgumentException.class);
    }
}
