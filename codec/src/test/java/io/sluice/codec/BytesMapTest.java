package io.sluice.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

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
