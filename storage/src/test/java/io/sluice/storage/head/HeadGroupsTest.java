package io.sluice.storage.head;

import io.sluice.codec.Allocation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Head#appendGroups}, a writer's blocks appended a series at a time, leaves the head
 * exactly as appending the same rows one by one does: samples kept, their order, latest values,
 * the 1-minute aggregates, the minutes named as missed, the counters and the bound.
 */
class HeadGroupsTest {
    private static final long M = 60_000_000L;

    /** A batch as a writer holds it: columns, and groups of rows of one series each. */
    private record Batch(int[] ids, long[] times, double[] values, int[] rows, int[] off, int groups) {
    }

    /**
     * Rows over {@code series} series in arrival order, grouped by series (the rows of a group in
     * time order, ties in arrival order, as the writer's encoding sorts them); a group is cut where
     * {@code cut} says, as blocks are cut at pieces. Some rows carry no series id.
     */
    private static Batch batch(Random rnd, int n, int series, long t0, long spread, int pieceMinutes) {
        int[] ids = new int[n];
        long[] times = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(50) == 0 ? -1 : 1 + rnd.nextInt(series);
            times[i] = t0 + (long) (rnd.nextDouble() * spread);
            values[i] = rnd.nextInt(7) == 0 ? rnd.nextInt(100) : rnd.nextGaussian() * 1e3;
        }
        return group(ids, times, values, pieceMinutes);
    }

    private static Batch group(int[] ids, long[] times, double[] values, int pieceMinutes) {
        int n = ids.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> ids[a] != ids[b] ? Integer.compare(ids[a], ids[b]) : Long.compare(times[a], times[b]));
        int[] rows = new int[n];
        int[] off = new int[n + 1];
        int groups = 0;
        int k = 0;
        for (int i = 0; i < n; i++) {
            int r = order[i];
            if (ids[r] < 0) {
                continue;
            }
            boolean cut = k == 0 || ids[rows[k - 1]] != ids[r]
                    || Math.floorDiv(times[rows[k - 1]], pieceMinutes * M) != Math.floorDiv(times[r], pieceMinutes * M);
            if (cut) {
                off[groups++] = k;
            }
            rows[k++] = r;
        }
        off[groups] = k;
        return new Batch(ids, times, values, rows, off, groups);
    }

    private static void appendOneByOne(Head h, Batch b, long loggedBefore) {
        // The same rows in the same order, through the per-sample path.
        int n = b.off[b.groups];
        int[] ids = new int[n];
        long[] times = new long[n];
        double[] values = new double[n];
        for (int k = 0; k < n; k++) {
            ids[k] = b.ids[b.rows[k]];
            times[k] = b.times[b.rows[k]];
            values[k] = b.values[b.rows[k]];
        }
        h.append(ids, times, values, 0, n, loggedBefore);
    }

    private static List<String> state(Head h, int series) {
        List<String> out = new ArrayList<>();
        out.add("from=" + h.from() + " minutesFrom=" + h.minutesFrom() + " samples=" + h.samples() + " bytes=" + h.bytes()
                + " cells=" + h.minuteCells() + " trims=" + h.pressureTrims());
        for (int id = 1; id <= series; id++) {
            StringBuilder sb = new StringBuilder("series " + id + ":");
            h.read(id, Long.MIN_VALUE, Long.MAX_VALUE, (t, v) -> sb.append(' ').append(t).append('=').append(v));
            h.latest(id, (t, v) -> sb.append(" latest ").append(t).append('=').append(v));
            out.add(sb.toString());
        }
        return out;
    }

    private static List<String> minutes(Head h, long to, long dropBefore) {
        MinuteRows rows = new MinuteRows();
        h.collectMinutes(to, dropBefore, rows);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            out.add(rows.seriesId(i) + "@" + rows.minute(i) + " n=" + rows.count(i) + " sum=" + rows.sum(i) + " min="
                    + rows.min(i) + " max=" + rows.max(i) + " sq=" + rows.sumSq(i) + " first=" + rows.first(i)
                    + " last=" + rows.last(i));
        }
        out.sort(null);
        long[] missed = h.takeMissedMinutes();
        long[] pairs = missed.clone();
        List<String> m = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.add(pairs[i] + ".." + pairs[i + 1]);
        }
        m.sort(null);
        out.add("missed " + m);
        return out;
    }

    @Test
    void groupsLeaveTheHeadAsSamplesOneByOneDo() {
        for (long seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            boolean rollup = seed % 4 != 0;
            // Small bounds in some seeds: pressure trims happen in the middle of the batches.
            long bound = seed % 3 == 0 ? 16 * 1024 : 1L << 26;
            Head groups = new Head(bound, rollup);
            Head single = new Head(bound, rollup);
            long start = 100 * M;
            groups.start(start);
            single.start(start);
            int series = 1 + rnd.nextInt(40);
            long now = start;
            for (int step = 0; step < 30; step++) {
                // Mostly the current minutes; sometimes late samples from before the head's start.
                long t0 = rnd.nextInt(5) == 0 ? now - 4 * M : now;
                Batch b = batch(rnd, 1 + rnd.nextInt(400), series, t0, rnd.nextInt(3) == 0 ? 3 * M : 20_000_000L,
                        1 + rnd.nextInt(2));
                long loggedBefore = rnd.nextBoolean() ? Long.MIN_VALUE : now - 2 * M;
                groups.appendGroups(b.ids, b.rows, b.off, b.groups, b.times, b.values, loggedBefore);
                appendOneByOne(single, b, loggedBefore);
                now += rnd.nextInt(40_000_000);
                if (rnd.nextInt(6) == 0) {
                    long to = Math.floorDiv(now, M) * M;
                    long drop = to - rnd.nextInt(3) * M;
                    assertThat(minutes(groups, to, drop)).as("seed %d step %d", seed, step)
                            .isEqualTo(minutes(single, to, drop));
                }
                if (rnd.nextInt(8) == 0) {
                    groups.advance(now - M);
                    single.advance(now - M);
                }
                assertThat(state(groups, series)).as("seed %d step %d", seed, step).isEqualTo(state(single, series));
            }
            assertThat(minutes(groups, Long.MAX_VALUE / 2, 0)).isEqualTo(minutes(single, Long.MAX_VALUE / 2, 0));
        }
    }

    @Test
    void aSeriesHeadIsMadeOnlyForGroupsItKeepsOrFolds() {
        Head h = new Head(1 << 20, true);
        h.start(10 * M);
        // Both samples of series 7 are before the head's start and its minutes: nothing is made for it.
        Batch b = new Batch(new int[] {7, 7, 8}, new long[] {5 * M, 6 * M, 10 * M + 1}, new double[] {1, 2, 3},
                new int[] {0, 1, 2}, new int[] {0, 2, 3}, 2);
        h.appendGroups(b.ids, b.rows, b.off, b.groups, b.times, b.values, 0);
        assertThat(h.samples()).isEqualTo(1);
        assertThat(h.bytes()).isEqualTo(SeriesHead.FIRST * Head.BYTES_PER_SAMPLE);
        assertThat(minutes(h, 20 * M, 0)).containsExactly(
                "8@" + 10 * M + " n=1 sum=3.0 min=3.0 max=3.0 sq=9.0 first=3.0 last=3.0",
                "missed [" + 5 * M + ".." + 6 * M + ", " + 6 * M + ".." + 7 * M + "]");
    }

    @Test
    void appendingGroupsToSeriesWithRoomAllocatesNothing() {
        Head h = new Head(1L << 30, true);
        h.start(0);
        List<Batch> batches = new ArrayList<>();
        for (int call = 0; call < 12; call++) {
            // 1,000 series, 5 samples each per batch: 10 batches fill each to 50 of its 64 slots.
            int[] ids = new int[5_000];
            long[] times = new long[5_000];
            double[] values = new double[5_000];
            for (int i = 0; i < 5_000; i++) {
                ids[i] = 1 + i % 1_000;
                times[i] = (call * 5_000L + i) * 1_000L;
                values[i] = i;
            }
            batches.add(group(ids, times, values, 60));
        }
        for (int i = 0; i < 10; i++) {
            Batch b = batches.get(i);
            h.appendGroups(b.ids, b.rows, b.off, b.groups, b.times, b.values, Long.MIN_VALUE);
        }
        long allocated = Allocation.bytes(() -> {
            for (int i = 10; i < 12; i++) {
                Batch b = batches.get(i);
                h.appendGroups(b.ids, b.rows, b.off, b.groups, b.times, b.values, Long.MIN_VALUE);
            }
        });
        // 10,000 samples, no series grows: an object per sample would be 160 kB or more.
        assertThat(allocated).as("bytes allocated appending 10,000 samples in groups").isLessThan(16 * 1024);
        assertThat(h.samples()).isEqualTo(60_000);
    }
}
