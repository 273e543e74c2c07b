package io.sluice.server.live;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.query.Points;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The newest sample per series, written by one thread and read by others: never one write's time with another's value. */
class LatestValuesTest {
    private static final SeriesKey KEY = SeriesKey.of("cpu", Map.of("host", "a"));

    @Test
    void keepsTheNewestAndIgnoresOlderTimes() {
        LatestValues latest = new LatestValues(10);
        assertThat(latest.point(KEY)).isNull();
        latest.offer(KEY, 20, 2.0);
        latest.offer(KEY, 10, 1.0);
        Points p = latest.point(KEY);
        assertThat(p.time(0)).isEqualTo(20);
        assertThat(p.value(0)).isEqualTo(2.0);
        latest.offer(KEY, 20, 3.0); // the same time again: the later write wins
        assertThat(latest.point(KEY).value(0)).isEqualTo(3.0);
    }

    @Test
    void holdsNoMoreSeriesThanItsBound() {
        LatestValues latest = new LatestValues(2);
        for (int i = 0; i < 5; i++) {
            latest.offer(SeriesKey.of("m" + i, Map.of()), 1, 1.0);
        }
        assertThat(latest.size()).isEqualTo(2);
        assertThat(latest.point(SeriesKey.of("m4", Map.of()))).isNull();
    }

    @Test
    void aSeriesOfferedWithItsIdIsThenFoundByTheIdAlone() {
        LatestValues latest = new LatestValues(1);
        assertThat(latest.offer(7, 10, 1.0)).as("not offered with its key yet").isFalse();
        assertThat(latest.point(KEY)).isNull();
        latest.offer(KEY, 7, 10, 1.0);
        assertThat(latest.offer(7, 30, 3.0)).isTrue();
        assertThat(latest.offer(7, 20, 2.0)).isTrue(); // older: kept out, as by key
        assertThat(latest.point(KEY).time(0)).isEqualTo(30);
        assertThat(latest.point(KEY).value(0)).isEqualTo(3.0);
        latest.offer(KEY, 40, 4.0); // by key (another node's sample): the same entry
        assertThat(latest.offer(7, 35, 3.5)).isTrue();
        assertThat(latest.point(KEY).value(0)).isEqualTo(4.0);
        // Over the bound a series is held neither by key nor by id.
        SeriesKey other = SeriesKey.of("cpu", Map.of("host", "b"));
        latest.offer(other, 8, 1, 1.0);
        assertThat(latest.point(other)).isNull();
        assertThat(latest.offer(8, 2, 2.0)).isFalse();
        assertThat(latest.size()).isEqualTo(1);
    }

    @Test
    void aReaderDuringWritesSeesTimesAndValuesThatBelongTogether() throws Exception {
        LatestValues latest = new LatestValues(10);
        latest.offer(KEY, 0, 0.0);
        int writes = 3_000_000;
        AtomicReference<String> torn = new AtomicReference<>();
        Thread[] readers = new Thread[2];
        long[] reads = new long[readers.length];
        Thread writer = new Thread(() -> {
            for (int t = 1; t <= writes; t++) {
                latest.offer(KEY, t, t * 0.5);
            }
        });
        for (int r = 0; r < readers.length; r++) {
            int me = r;
            readers[r] = new Thread(() -> {
                long last = 0;
                while (last < writes && torn.get() == null) {
                    Points p = latest.point(KEY);
                    if (p.value(0) != p.time(0) * 0.5 || p.time(0) < last) {
                        torn.set("time " + p.time(0) + " with value " + p.value(0) + " after time " + last);
                    }
                    last = p.time(0);
                    reads[me]++;
                }
            });
        }
        for (Thread t : readers) {
            t.start();
        }
        writer.start();
        writer.join();
        for (Thread t : readers) {
            t.join();
        }
        assertThat(torn.get()).isNull();
        assertThat(latest.point(KEY).time(0)).isEqualTo(writes);
    }
}
