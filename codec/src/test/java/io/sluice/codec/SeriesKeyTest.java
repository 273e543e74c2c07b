package io.sluice.codec;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesKeyTest {
    @Test
    void tagOrderDoesNotChangeTheKey() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        assertThat(SeriesKey.of("m", ab)).isEqualTo(SeriesKey.of("m", ba)).hasSameHashCodeAs(SeriesKey.of("m", ba));
    }

    @Test
    void aMutableKeyEqualsItsFrozenCopyAndLooksItUp() {
        SeriesKey k = new SeriesKey();
        k.reset().metric("cpu").tag("host", "a");
        SeriesKey f = k.frozen();
        Map<SeriesKey, Integer> m = new HashMap<>();
        m.put(f, 7);
        k.reset().metric("cpu").tag("host", "a");
        assertThat(m.get(k)).isEqualTo(7);
        k.reset().metric("cpu").tag("host", "b");
        assertThat(m.get(k)).isNull();
        assertThat(f.metricString()).isEqualTo("cpu");
        assertThat(f.tags()).containsExactly(Map.entry("host", "a"));
    }

    @Test
    void theHashFollowsEveryChangeNotJustReset() {
        Map<SeriesKey, Integer> m = new HashMap<>();
        m.put(SeriesKey.of("cpu_user", Map.of("host", "a")), 1);
        SeriesKey k = new SeriesKey().reset().metric("cpu");
        int before = k.hashCode(); // caches the hash of "cpu"
        k.appendMetric(new byte[]{'_', 'u', 's', 'e', 'r'}, 0, 5);
        k.tag("host", "a");
        assertThat(k.hashCode()).isNotEqualTo(before);
        assertThat(m.get(k)).isEqualTo(1);
    }

    @Test
    void keysAreTotallyOrderedByTheirCanonicalBytesConsistentlyWithEquals() {
        SeriesKey a = SeriesKey.of("cpu", Map.of("host", "a"));
        SeriesKey b = SeriesKey.of("cpu", Map.of("host", "b"));
        SeriesKey shorter = SeriesKey.of("cp", Map.of("host", "z"));
        SeriesKey high = SeriesKey.of("cpu", Map.of("host", "\u00e9")); // UTF-8 0xC3 0xA9: unsigned, after 'b'
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(high);
        assertThat(shorter).as("the length prefix comes first").isLessThan(a);
        SeriesKey mutable = new SeriesKey().reset().metric("cpu");
        mutable.tag("host", "a");
        assertThat(mutable.compareTo(a)).isZero();
        assertThat(a.compareTo(mutable)).isZero();
        java.util.List<SeriesKey> keys = new java.util.ArrayList<>(java.util.List.of(high, b, shorter, a));
        java.util.Collections.sort(keys);
        assertThat(keys).containsExactly(shorter, a, b, high);
    }

    @Test
    void boundariesBetweenNameAndTagsAreUnambiguous() {
        assertThat(SeriesKey.of("ab", Map.of("c", "d"))).isNotEqualTo(SeriesKey.of("a", Map.of("bc", "d")));
        assertThat(SeriesKey.of("a", Map.of("b", "cd"))).isNotEqualTo(SeriesKey.of("a", Map.of("bc", "d")));
    }

    @Test
    void aRepeatedTagKeyKeepsTheLastValue() {
        SeriesKey k = new SeriesKey().reset().metric("m");
        k.tag("h", "1");
        k.tag("h", "2");
        assertThat(k.frozen().tags()).containsExactly(Map.entry("h", "2"));
        assertThat(k.tagCount()).isEqualTo(1);
    }

    @Test
    void aCopyWithASuffixIsTheSourceWithALongerMetric() {
        SeriesKey source = SeriesKey.of("load_time", Map.of("metric_type", "timing", "host", "caf\u00e9", "x".repeat(200), "v"));
        SeriesKey k = new SeriesKey();
        k.tag("stale", "tag");
        k.copyOf(source, "_90_percentile".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(k).isEqualTo(SeriesKey.of("load_time_90_percentile", source.tags()));
        assertThat(k.tagCount()).isEqualTo(3);
        assertThat(new SeriesKey().copyOf(source, new byte[0])).isEqualTo(source);
    }

    /** The word-at-a-time hash of bytes as written equals the byte-at-a-time definition, for every length and place. */
    @Test
    void writtenHashIsTheSameForTheSameBytesWhereverTheyLie() {
        java.util.Random r = new java.util.Random(18);
        for (int i = 0; i < 20_000; i++) {
            byte[] a = new byte[r.nextInt(40)];
            r.nextBytes(a);
            int off = a.length == 0 ? 0 : r.nextInt(a.length);
            int len = r.nextInt(a.length - off + 1);
            byte[] b = new byte[len + 3 + r.nextInt(9)];
            r.nextBytes(b);
            int boff = r.nextInt(b.length - len + 1);
            System.arraycopy(a, off, b, boff, len);
            int expected = referenceHash(a, off, len) * 0x9E3779B1 + referenceHash(a, 0, 0);
            assertThat(SeriesKey.writtenHash(a, off, len, a, 0, 0)).isEqualTo(expected);
            assertThat(SeriesKey.writtenHash(b, boff, len, b, 0, 0)).isEqualTo(expected);
            assertThat(SeriesKey.writtenHash(b, 0, 0, b, boff, len)).isEqualTo(referenceHash(b, 0, 0) * 0x9E3779B1 + referenceHash(a, off, len));
        }
    }

    /** The hash as first defined: eight bytes a step, the rest a byte at a time. */
    private static int referenceHash(byte[] b, int off, int len) {
        long h = len * 0x9E3779B97F4A7C15L;
        int i = off;
        for (; i + 8 <= off + len; i += 8) {
            long w = 0;
            for (int k = 7; k >= 0; k--) {
                w = (w << 8) | (b[i + k] & 0xFFL);
            }
            h = (h ^ w) * 0xBF58476D1CE4E5B9L;
        }
        long tail = 0;
        for (int shift = 0; i < off + len; i++, shift += 8) {
            tail |= (b[i] & 0xFFL) << shift;
        }
        h = (h ^ tail) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return (int) (h ^ (h >>> 32));
    }

}
