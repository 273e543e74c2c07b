package io.sluice.storage.head;

import io.sluice.codec.Allocation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blocks the head lets go of are reused by series that grow again: what every series holds stays
 * exactly what was appended at or after the head's start (a block handed to two series at once,
 * or reused while still holding samples, would show here), the bound holds with the pooled
 * blocks counted, and a head refilled at its bound allocates no new block.
 */
class HeadBlockPoolTest {
    private static final long MINUTE = 60_000_000L;

    private static List<String> held(Head h, int id) {
        List<String> out = new ArrayList<>();
        h.read(id, Long.MIN_VALUE, Long.MAX_VALUE, (t, v) -> out.add(t + "=" + v));
        return out;
    }

    /** Every sample appended of series {@code id} with time at or after {@code from}, in time order (stable). */
    private static List<String> expected(List<long[]> appended, int id, long from) {
        List<long[]> mine = new ArrayList<>();
        for (long[] s : appended) {
            if (s[0] == id && s[1] >= from) {
                mine.add(s);
            }
        }
        mine.sort((a, b) -> Long.compare(a[1], b[1]));
        List<String> out = new ArrayList<>();
        for (long[] s : mine) {
            out.add(s[1] + "=" + (double) s[2]);
        }
        return out;
    }

    @Test
    void seriesRefilledFromPooledBlocksHoldExactlyWhatWasAppended() {
        for (int seed = 0; seed < 40; seed++) {
            Random r = new Random(seed);
            int series = 1 + r.nextInt(12);
            // A small bound (pressure trims) or a large one (only sealing lets go of blocks).
            long bound = r.nextBoolean() ? (8 + r.nextInt(24)) * SeriesHead.BLOCK * Head.BYTES_PER_SAMPLE : 1L << 30;
            Head h = new Head(bound, r.nextBoolean());
            h.start(0);
            List<long[]> appended = new ArrayList<>();
            long now = 0;
            long value = 0;
            boolean reused = false;
            for (int step = 0; step < 60; step++) {
                int n = 1 + r.nextInt(3 * SeriesHead.BLOCK);
                int[] ids = new int[n];
                long[] times = new long[n];
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = 1 + r.nextInt(series);
                    now += r.nextInt(2_000_000);
                    // Mostly in time order; some late (the series is then sorted on read).
                    times[i] = r.nextInt(20) == 0 ? Math.max(0, now - r.nextInt(30_000_000)) : now;
                    values[i] = ++value;
                    appended.add(new long[] {ids[i], times[i], value});
                }
                int pooledBefore = h.pooledBlocks();
                h.append(ids, times, values, n);
                reused |= h.pooledBlocks() < pooledBefore;
                if (r.nextInt(4) == 0) {
                    // Sealing caught up to somewhere in the last minutes.
                    h.advance(Math.max(0, now - r.nextInt(3) * MINUTE - r.nextInt(1 + (int) Math.min(now, MINUTE))));
                }
                long from = h.from();
                long total = 0;
                for (int id = 1; id <= series; id++) {
                    List<String> got = held(h, id);
                    assertThat(got).as("seed %d step %d series %d", seed, step, id).isEqualTo(expected(appended, id, from));
                    total += got.size();
                }
                assertThat(h.samples()).as("seed %d step %d", seed, step).isEqualTo(total);
                // The bound, pooled blocks counted, give or take one append's growth.
                assertThat(h.bytes()).as("seed %d step %d", seed, step)
                        .isLessThanOrEqualTo(Math.max(bound, h.maxBytes()) + (long) (n + series * SeriesHead.BLOCK) * Head.BYTES_PER_SAMPLE);
                assertThat((long) h.pooledBlocks() * SeriesHead.BLOCK * Head.BYTES_PER_SAMPLE).isLessThanOrEqualTo(h.bytes());
            }
            if (seed == 0) {
                assertThat(reused).as("seed 0 took pooled blocks").isTrue();
            }
        }
    }

    @Test
    void aHeadRefilledAtItsBoundAllocatesNoNewBlock() {
        // 10 busy series, 64 blocks of bound: each pressure trim lets go of about half of them.
        long bound = 64L * SeriesHead.BLOCK * Head.BYTES_PER_SAMPLE;
        Head h = new Head(bound);
        h.start(0);
        int[] ids = new int[1000];
        long[] times = new long[1000];
        double[] values = new double[1000];
        long[] t = {0};
        Runnable batch = () -> {
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i % 10;
                times[i] = t[0];
                values[i] = i;
                t[0] += 10_000_000L / ids.length; // 1,000 samples in 10 s: a minute is six batches
            }
            h.append(ids, times, values, ids.length);
        };
        for (int round = 0; round < 100; round++) {
            batch.run();
        }
        long trims = h.pressureTrims();
        long[] highest = {0};
        long allocated = Allocation.bytes(() -> {
            for (int round = 0; round < 100; round++) {
                batch.run();
                highest[0] = Math.max(highest[0], h.bytes());
            }
        });
        assertThat(h.pressureTrims()).as("pressure trims while measured").isGreaterThan(trims + 2);
        // 100,000 samples, 1.6 MB of columns: without the pool their new blocks were 1.8 MB here;
        // with it what is left is each trim's overshoot of the bound (a block or two).
        assertThat(allocated).as("bytes allocated appending 100,000 samples at the bound").isLessThan(100_000L * 16 / 4);
        assertThat(highest[0]).isLessThanOrEqualTo(bound + 10L * SeriesHead.BLOCK * Head.BYTES_PER_SAMPLE);
        long held = 0;
        for (int s = 0; s < 10; s++) {
            held += held(h, s).size();
        }
        assertThat(held).isEqualTo(h.samples()).isPositive();
    }
}
