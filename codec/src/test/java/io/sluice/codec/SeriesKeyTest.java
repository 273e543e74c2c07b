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
}
