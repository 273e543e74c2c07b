package io.sluice.storage.db;

import io.sluice.codec.Allocation;
import io.sluice.codec.SeriesKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WrittenSeriesCacheTest {
    private static final Object SCOPE = new Object();

    /** Series as written are "prefix suffix"; the filler makes the metric from the whole text. */
    private static final class Filler implements SeriesKey.Filler {
        String text;

        @Override
        public void fill(SeriesKey key) {
            key.reset().metric(text);
        }
    }

    private static final class OtherFiller implements SeriesKey.Filler {
        @Override
        public void fill(SeriesKey key) {
            key.reset().metric("other");
        }
    }

    private final Filler filler = new Filler();
    private final SeriesKey key = new SeriesKey();
    /** Never looked past: the tests of what it holds. */
    private final WrittenSeriesCache cache = new WrittenSeriesCache(Integer.MAX_VALUE, 0);

    private SeriesKey written(SeriesKey.Filler by, String prefix, String suffix) {
        byte[] b = (prefix + " " + suffix).getBytes(StandardCharsets.UTF_8);
        filler.text = prefix + suffix;
        int p = prefix.getBytes(StandardCharsets.UTF_8).length;
        return key.deferred(by, b, 0, p, p + 1, b.length - p - 1, false);
    }

    private int find(String prefix, String suffix, Object scope) {
        return cache.find(written(filler, prefix, suffix), scope);
    }

    @Test
    void findsOnlyTheSameBytesInTheSameScope() {
        assertThat(find("cpu,host=a", "value", SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
        cache.remember(7);
        assertThat(find("cpu,host=a", "value", SCOPE)).isEqualTo(7);
        assertThat(find("cpu,host=a", "valuE", SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
        assertThat(find("cpu,host=b", "value", SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
        // The same bytes split elsewhere are another series.
        byte[] joined = "cpu,host=avalue".getBytes(StandardCharsets.UTF_8);
        assertThat(cache.find(key.deferred(filler, joined, 0, 10, 10, 5, false), SCOPE)).isEqualTo(7);
        assertThat(cache.find(key.deferred(filler, joined, 0, 11, 11, 4, false), SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
        cache.remember(8);
        assertThat(cache.find(key.deferred(filler, joined, 0, 11, 11, 4, false), SCOPE)).isEqualTo(8);
        assertThat(cache.find(key.deferred(filler, joined, 0, 10, 10, 5, false), SCOPE)).isEqualTo(7);
        assertThat(find("cpu,host=a", "value", new Object())).isEqualTo(SeriesRegistry.UNKNOWN);
        assertThat(cache.find(written(new OtherFiller(), "cpu,host=a", "value"), SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
    }

    @Test
    void aKeyNotNamedAsWrittenOrChangedIsNeverFound() {
        SeriesKey plain = new SeriesKey().reset().metric("cpu");
        assertThat(cache.find(plain, SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
        cache.remember(3);
        assertThat(cache.size()).isZero();
        SeriesKey k = written(filler, "cpu", "value");
        k.tag("tenant", "acme"); // a sink stamping a tenant changes it
        assertThat(k.writtenBy()).isNull();
        assertThat(cache.find(k, SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
    }

    @Test
    void fillingAKeyKeepsItsBytesAsWritten() {
        SeriesKey k = written(filler, "cpu,host=a", "value");
        assertThat(k.metricString()).isEqualTo("cpu,host=avalue");
        assertThat(k.writtenBy()).isSameAs(filler);
        assertThat(cache.find(k, SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
        cache.remember(9);
        assertThat(find("cpu,host=a", "value", SCOPE)).isEqualTo(9);
    }

    @Test
    void holdsAtMostItsSlotsAndNeverAnswersWrong() {
        int series = 3 * WrittenSeriesCache.SLOTS;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < series; i++) {
                int id = find("m,host=h" + i, "value", SCOPE);
                if (id == SeriesRegistry.UNKNOWN) {
                    cache.remember(1000 + i);
                } else {
                    assertThat(id).isEqualTo(1000 + i);
                }
            }
        }
        assertThat(cache.size()).isBetween(WrittenSeriesCache.SLOTS / 2, WrittenSeriesCache.SLOTS);
        int found = 0;
        for (int i = 0; i < series; i++) {
            int id = find("m,host=h" + i, "value", SCOPE);
            if (id != SeriesRegistry.UNKNOWN) {
                assertThat(id).isEqualTo(1000 + i);
                found++;
            }
        }
        assertThat(found).isBetween(WrittenSeriesCache.SLOTS / 2, WrittenSeriesCache.SLOTS);
    }

    @Test
    void aSeriesLongerThanTheLimitIsNotHeld() {
        String longTag = "m,host=" + "x".repeat(WrittenSeriesCache.MAX_WRITTEN_BYTES);
        assertThat(find(longTag, "value", SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
        cache.remember(5);
        assertThat(find(longTag, "value", SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
        assertThat(cache.size()).isZero();
    }

    @Test
    void aHitAllocatesNothing() {
        byte[] b = "cpu,host=a value".getBytes(StandardCharsets.UTF_8);
        SeriesKey k = new SeriesKey();
        k.deferred(filler, b, 0, 10, 11, 5, false);
        cache.find(k, SCOPE);
        cache.remember(4);
        long[] sum = {0};
        long bytes = Allocation.bytes(() -> {
            for (int i = 0; i < 100_000; i++) {
                k.deferred(filler, b, 0, 10, 11, 5, (i & 1) == 0);
                sum[0] += cache.find(k, SCOPE);
            }
        });
        assertThat(sum[0]).isEqualTo(400_000);
        assertThat(bytes).isLessThan(1024);
    }

    @Test
    void mostlyMissingItIsLookedPastForAWhileThenTriedAgain() {
        WrittenSeriesCache c = new WrittenSeriesCache(100, 1_000);
        // Few series, found again and again: never looked past.
        for (int i = 0; i < 1_000; i++) {
            if (c.find(written(filler, "few,host=h" + i % 10, "value"), SCOPE) == SeriesRegistry.UNKNOWN) {
                c.remember(i % 10);
            }
        }
        assertThat(c.bypassed()).isFalse();
        // Series in turn, each new: after a period of misses it is looked past.
        int i = 0;
        while (!c.bypassed()) {
            assertThat(i).isLessThan(200);
            c.find(written(filler, "many,host=h" + i++, "value"), SCOPE);
            c.remember(i);
        }
        int held = c.size();
        for (int k = 0; k < 1_000; k++) { // even a series it holds goes past, and nothing is stored
            assertThat(c.find(written(filler, "few,host=h1", "value"), SCOPE)).isEqualTo(SeriesRegistry.UNKNOWN);
            c.remember(99);
        }
        assertThat(c.size()).isEqualTo(held);
        assertThat(c.bypassed()).isFalse();
        assertThat(c.find(written(filler, "few,host=h1", "value"), SCOPE)).isEqualTo(1);
    }
}
