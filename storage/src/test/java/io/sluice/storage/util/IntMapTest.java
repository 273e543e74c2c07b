package io.sluice.storage.util;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class IntMapTest {
    @Test
    void keepsEveryKeyThroughGrowthIncludingNegativeAndZero() {
        IntMap<String> m = new IntMap<>();
        for (int k = -5_000; k < 50_000; k++) {
            assertThat(m.putIfAbsent(k, "v" + k)).isNull();
        }
        assertThat(m.size()).isEqualTo(55_000);
        for (int k = -5_000; k < 50_000; k++) {
            assertThat(m.get(k)).isEqualTo("v" + k);
        }
        assertThat(m.get(50_000)).isNull();
        assertThat(m.putIfAbsent(7, "other")).isEqualTo("v7");
        assertThat(m.get(7)).isEqualTo("v7");
        List<String> all = new ArrayList<>();
        m.forEach(all::add);
        assertThat(all).hasSize(55_000);
    }

    @Test
    void computeIfAbsentMakesAValueOnceAndReturnsItAfter() {
        IntMap<int[]> m = new IntMap<>();
        AtomicInteger made = new AtomicInteger();
        int[] first = m.computeIfAbsent(42, k -> {
            made.incrementAndGet();
            return new int[] {k};
        });
        int[] again = m.computeIfAbsent(42, k -> {
            made.incrementAndGet();
            return new int[] {-1};
        });
        assertThat(again).isSameAs(first);
        assertThat(first[0]).isEqualTo(42);
        assertThat(made).hasValue(1);
    }

    /** Readers running while the table grows see a key's own value or none, never another's. */
    @Test
    void readersDuringGrowthSeeTheirKeysValueOrNothing() throws Exception {
        IntMap<int[]> m = new IntMap<>();
        int keys = 200_000;
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int seed = r;
            Thread t = new Thread(() -> {
                int k = seed;
                while (!done.get()) {
                    k = (k * 1_103_515_245 + 12_345) & Integer.MAX_VALUE;
                    int key = k % keys;
                    int[] v = m.get(key);
                    if (v != null && v[0] != key) {
                        wrong.add(key + " -> " + v[0]);
                    }
                }
            });
            t.start();
            readers.add(t);
        }
        Thread[] writers = new Thread[2];
        for (int w = 0; w < writers.length; w++) {
            int start = w;
            writers[w] = new Thread(() -> {
                for (int k = start; k < keys; k += 2) {
                    m.computeIfAbsent(k, x -> new int[] {x});
                }
            });
            writers[w].start();
        }
        for (Thread w : writers) {
            w.join();
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertThat(wrong).isEmpty();
        assertThat(m.size()).isEqualTo(keys);
        for (int k = 0; k < keys; k++) {
            assertThat(m.get(k)[0]).isEqualTo(k);
        }
    }
}
