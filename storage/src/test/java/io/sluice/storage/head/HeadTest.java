package io.sluice.storage.head;

import io.sluice.codec.Allocation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The head alone: what it keeps, in what order, what it lets go of, and its bound. */
class HeadTest {
    private static List<long[]> read(Head h, int id, long lo, long hi) {
        List<long[]> out = new ArrayList<>();
        h.read(id, lo, hi, (t, v) -> out.add(new long[] {t, (long) v}));
        return out;
    }

    @Test
    void holdsNothingUntilStartedThenEverySampleFromItsStart() {
        Head h = new Head(1 << 20);
        h.append(new int[] {1}, new long[] {100}, new double[] {1}, 1);
        assertThat(h.samples()).isZero();
        h.start(200);
        h.append(new int[] {1, 1, 2}, new long[] {150, 250, 300}, new double[] {1, 2, 3}, 3);
        assertThat(h.from()).isEqualTo(200);
        assertThat(read(h, 1, 0, 1000)).extracting(a -> a[0]).containsExactly(250L);
        assertThat(read(h, 2, 0, 1000)).extracting(a -> a[0]).containsExactly(300L);
        assertThat(h.samples()).isEqualTo(2);
    }

    @Test
    void readsComeInTimeOrderWhateverOrderSamplesCameIn() {
        Head h = new Head(1 << 20);
        h.start(0);
        long[] times = {50, 10, 40, 20, 30, 60};
        for (long t : times) {
            h.append(new int[] {7}, new long[] {t}, new double[] {t}, 1);
        }
        assertThat(read(h, 7, 20, 60)).extracting(a -> a[0]).containsExactly(20L, 30L, 40L, 50L);
        List<long[]> latest = new ArrayList<>();
        h.latest(7, (t, v) -> latest.add(new long[] {t}));
        assertThat(latest).extracting(a -> a[0]).containsExactly(60L);
    }

    @Test
    void advancingLetsGoOfOlderSamplesAndNeverMovesBack() {
        Head h = new Head(1 << 20);
        h.start(0);
        for (int i = 0; i < 1000; i++) {
            h.append(new int[] {1}, new long[] {i}, new double[] {i}, 1);
        }
        long bytes = h.bytes();
        long epoch = h.epoch();
        h.advance(900);
        assertThat(h.stable(epoch)).isFalse();
        assertThat(h.from()).isEqualTo(900);
        assertThat(h.samples()).isEqualTo(100);
        // Its two whole blocks are pooled for reuse, still counted; the rest is a 128-slot first block.
        assertThat(h.pooledBlocks()).isEqualTo(2);
        assertThat(h.bytes()).isEqualTo(bytes + 128 * Head.BYTES_PER_SAMPLE);
        assertThat(read(h, 1, 0, 2000)).hasSize(100);
        h.advance(500);
        assertThat(h.from()).isEqualTo(900);
        long e2 = h.epoch();
        assertThat(h.stable(e2)).isTrue();
    }

    /** A busy series spans many blocks; order, trims and reads hold across them. */
    @Test
    void aSeriesOfManyBlocksReadsTrimsAndSortsAsOne() {
        Head h = new Head(1L << 30);
        h.start(0);
        int n = 10 * SeriesHead.BLOCK + 17;
        for (int i = 0; i < n; i++) {
            // In order, but every hundredth sample comes late (before its predecessor).
            long t = i % 100 == 99 ? i - 150L : i;
            h.append(new int[] {3}, new long[] {1_000 + t}, new double[] {t}, 1);
        }
        List<long[]> all = read(h, 3, 0, Long.MAX_VALUE);
        assertThat(all).hasSize(n);
        for (int i = 1; i < n; i++) {
            assertThat(all.get(i)[0]).isGreaterThanOrEqualTo(all.get(i - 1)[0]);
        }
        assertThat(read(h, 3, 1_000 + 2_000, 1_000 + 2_010)).extracting(a -> a[0])
                .containsExactly(3_000L, 3_001L, 3_002L, 3_003L, 3_004L, 3_005L, 3_006L, 3_007L, 3_008L, 3_009L);
        long bytes = h.bytes();
        long from = 1_000 + n - 300;
        h.advance(from);
        long expected = all.stream().filter(a -> a[0] >= from).count();
        List<long[]> kept = read(h, 3, 0, Long.MAX_VALUE);
        assertThat(kept).hasSize((int) expected).allMatch(a -> a[0] >= from);
        assertThat(h.samples()).isEqualTo(kept.size());
        // One block holds what is kept; the other ten are pooled, and the memory stays with the head.
        assertThat(h.pooledBlocks()).isEqualTo(10);
        assertThat(h.bytes()).isEqualTo(bytes);
        for (int i = 0; i < 2 * SeriesHead.BLOCK; i++) {
            h.append(new int[] {3}, new long[] {1_000_000L + i}, new double[] {i}, 1);
        }
        assertThat(read(h, 3, 1_000_000L, Long.MAX_VALUE)).hasSize(2 * SeriesHead.BLOCK);
        // Growing again took two pooled blocks: nothing new was allocated.
        assertThat(h.pooledBlocks()).isEqualTo(8);
        assertThat(h.bytes()).isEqualTo(bytes);
        List<long[]> latest = new ArrayList<>();
        h.latest(3, (t, v) -> latest.add(new long[] {t}));
        assertThat(latest).extracting(a -> a[0]).containsExactly(1_000_000L + 2 * SeriesHead.BLOCK - 1);
    }

    @Test
    void aFloodStaysWithinTheBoundByLettingGoOfTheOldestMinutes() {
        long bound = 64 * 1024;
        Head h = new Head(bound);
        h.start(0);
        long minute = 60_000_000L;
        int[] ids = new int[100];
        long[] times = new long[100];
        double[] values = new double[100];
        // 20 minutes of 1,000 samples a minute over 10 series: 20,000 samples, 320 kB held in full.
        for (int m = 0; m < 20; m++) {
            for (int k = 0; k < 10; k++) {
                for (int i = 0; i < 100; i++) {
                    ids[i] = i % 10;
                    times[i] = m * minute + (k * 100 + i) * 1000L;
                    values[i] = i;
                }
                h.append(ids, times, values, 100);
                // The bound holds after every append, give or take one series' growth.
                assertThat(h.bytes()).isLessThanOrEqualTo(bound + 10 * 16 * 512);
            }
        }
        assertThat(h.pressureTrims()).isPositive();
        assertThat(h.from()).isGreaterThan(0).isLessThanOrEqualTo(20 * minute);
        // What it still holds is complete from its start on.
        long expected = 0;
        for (int m = 0; m < 20; m++) {
            if (m * minute >= h.from()) {
                expected += 1000;
            }
        }
        long held = 0;
        for (int s = 0; s < 10; s++) {
            held += read(h, s, 0, Long.MAX_VALUE).size();
        }
        assertThat(held).isEqualTo(expected).isEqualTo(h.samples());
    }

    /** Writers append every committed sample: once a series has room, that costs no object. */
    @Test
    void appendingToSeriesWithRoomAllocatesNothingPerSample() {
        Head h = new Head(1L << 30);
        h.start(0);
        int n = 10_000;
        int[] ids = new int[n];
        long[] times = new long[n];
        double[] values = new double[n];
        // 1,000 series, 10 samples each per call; 10 calls fill each to 100 of its 128 slots.
        for (int call = 0; call < 12; call++) {
            for (int i = 0; i < n; i++) {
                ids[i] = i % 1000;
                times[i] = (call * n + i) * 1000L;
                values[i] = i;
            }
            if (call < 10) {
                h.append(ids, times, values, n);
            }
        }
        long allocated = Allocation.bytes(() -> {
            // 20,000 samples, no series grows: an object per sample would be 320 kB or more.
            h.append(ids, times, values, n);
            h.append(ids, times, values, n);
        });
        assertThat(allocated).as("bytes allocated appending 20,000 samples").isLessThan(16 * 1024);
        assertThat(h.samples()).isEqualTo(120_000);
    }
}
