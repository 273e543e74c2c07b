package io.sluice.storage.writer;

import io.sluice.storage.head.Head;
import io.sluice.storage.head.MinuteRows;
import io.sluice.storage.ring.SampleEvent;
import io.sluice.storage.ring.WriteAck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The writer's grouping of a unit's rows by series, ahead of cutting them into blocks or handing them to the head. */
class WriterBatchTest {
    @Test
    void rowsAreGroupedBySeriesInArrivalOrderForAnyIds() {
        Random rnd = new Random(18);
        for (int round = 0; round < 300; round++) {
            int size = 1 + rnd.nextInt(6_000);
            int[] ids = new int[size];
            // Few series, a thousand, or ids anywhere up to Integer.MAX_VALUE (three passes).
            int bound = switch (round % 4) {
                case 0 -> 3;
                case 1 -> 1_000;
                case 2 -> 1 << 20;
                default -> Integer.MAX_VALUE;
            };
            for (int i = 0; i < size; i++) {
                ids[i] = rnd.nextInt(bound);
            }
            int from = rnd.nextInt(size);
            int to = from + rnd.nextInt(size - from + 1);
            int[] order = new int[size];
            int bits = 0;
            for (int k = from; k < to; k++) {
                // The unit's rows in an order of their own, not their positions.
                order[k] = (k * 7 + round) % size;
                bits |= ids[order[k]];
            }
            Integer[] expected = new Integer[to - from];
            for (int k = from; k < to; k++) {
                expected[k - from] = order[k];
            }
            // Stable: rows of one series keep the order they had.
            Arrays.sort(expected, Comparator.comparingInt(r -> ids[r]));
            int[] before = order.clone();
            WriterBatch.groupBySeries(order, from, to, ids, new int[size], new int[1 << WriterBatch.RADIX_BITS], bits);
            for (int k = from; k < to; k++) {
                assertThat(order[k]).as("round %d position %d", round, k).isEqualTo(expected[k - from]);
            }
            for (int k = 0; k < size; k++) {
                if (k < from || k >= to) {
                    assertThat(order[k]).isEqualTo(before[k]);
                }
            }
        }
    }

    private static final long M = 60_000_000L;

    /**
     * With {@code write_ack = journal} nothing is encoded as blocks; {@code groupWritten} groups the
     * rows a journal row holds so that the head takes them a series at a time. The head must end
     * as the per-sample path leaves it with the same rows in batch order: requests (some withdrawn
     * before the claim), best-effort rows (some without a series id), times out of order and
     * tied, late samples before the head's start, and small bounds that trim mid-batch.
     * Breaking the grouping (a group's time sort skipped, a group cut short) fails it.
     */
    @Test
    void journalRowsGroupedForTheHeadLeaveItAsTheSamplesOneByOneDo() {
        for (long seed = 1; seed <= 60; seed++) {
            Random rnd = new Random(seed);
            boolean rollup = seed % 4 != 0;
            // Small bounds in some seeds: pressure trims happen in the middle of the batches. What a
            // trim keeps depends on the order samples of different minutes arrive in, so these seeds
            // send each series in time order (the head's contents then agree sample for sample).
            boolean ordered = seed % 3 == 0;
            long bound = ordered ? 16 * 1024 : 1L << 26;
            Head grouped = new Head(bound, rollup);
            Head single = new Head(bound, rollup);
            long start = 100 * M;
            grouped.start(start);
            single.start(start);
            int series = 1 + rnd.nextInt(rnd.nextBoolean() ? 30 : 3_000);
            long now = start;
            for (int step = 0; step < 12; step++) {
                long tick = now;
                WriterBatch a = new WriterBatch(64);
                WriterBatch b = new WriterBatch(64);
                int events = 1 + rnd.nextInt(30);
                List<WriteAck> withdrawn = new ArrayList<>();
                WriteAck[] acks = new WriteAck[2];
                for (int e = 0; e < events; e++) {
                    boolean bestEffort = rnd.nextInt(5) == 0;
                    boolean withdraw = !bestEffort && rnd.nextInt(6) == 0;
                    SampleEvent ev = new SampleEvent();
                    ev.count = 1 + rnd.nextInt(SampleEvent.CAPACITY);
                    long t0 = rnd.nextInt(5) == 0 ? now - 4 * M : now;
                    long spread = rnd.nextInt(3) == 0 ? 3 * M : 20_000_000L;
                    for (int i = 0; i < ev.count; i++) {
                        ev.seriesIds[i] = bestEffort && rnd.nextInt(10) == 0 ? SampleEvent.UNRESOLVED : 1 + rnd.nextInt(series);
                        if (ordered) {
                            // Ascending with ties, as a steady client sends.
                            tick += rnd.nextInt(3) * rnd.nextInt(60_000);
                            ev.times[i] = tick;
                        } else {
                            // Ties and out-of-order times within a series: coarse times, drawn at random.
                            ev.times[i] = t0 + (rnd.nextInt(4) == 0 ? rnd.nextInt(4) * 1_000_000L : (long) (rnd.nextDouble() * spread));
                        }
                        ev.values[i] = rnd.nextInt(7) == 0 ? rnd.nextInt(100) : rnd.nextGaussian() * 1e3;
                        ev.steps[i] = CopyEncoder.NO_STEP;
                    }
                    ev.endsRequest = true;
                    for (int side = 0; side < 2; side++) {
                        acks[side] = bestEffort ? null : new WriteAck((o, r) -> { });
                        if (withdraw) {
                            withdrawn.add(acks[side]);
                        }
                    }
                    ev.ack = acks[0];
                    a.append(ev);
                    ev.ack = acks[1];
                    b.append(ev);
                }
                withdrawn.forEach(WriteAck::withdraw);
                assertThat(a.claim()).isEqualTo(b.claim());
                int[] rowsA = new int[a.size()];
                int[] rowsB = new int[b.size()];
                int n = a.written(rowsA);
                assertThat(b.written(rowsB)).isEqualTo(n);
                a.groupWritten(rowsA, n);
                long loggedBefore = rnd.nextBoolean() ? Long.MIN_VALUE : now - 2 * M;
                a.appendStored(grouped, loggedBefore);
                b.appendStored(single, loggedBefore);
                now = Math.max(now, tick) + rnd.nextInt(40_000_000);
                if (rnd.nextInt(4) == 0) {
                    long to = Math.floorDiv(now, M) * M;
                    assertSameMinutes(grouped, single, to, to - rnd.nextInt(3) * M, "seed " + seed + " step " + step);
                }
                if (rnd.nextInt(8) == 0) {
                    grouped.advance(now - M);
                    single.advance(now - M);
                }
                if (ordered) {
                    // Under pressure the grouped head is relieved once a batch (as for encoded blocks), the
                    // per-sample path once a request: it may trim further, never keep more than its bound,
                    // and what it keeps is what the other holds from there on.
                    assertThat(grouped.bytes()).isLessThanOrEqualTo(grouped.maxBytes());
                    assertThat(grouped.from()).isGreaterThanOrEqualTo(single.from());
                    assertThat(state(grouped, series, grouped.from(), false)).as("seed %d step %d", seed, step)
                            .isEqualTo(state(single, series, grouped.from(), false));
                } else {
                    assertThat(header(grouped)).as("seed %d step %d", seed, step).isEqualTo(header(single));
                    assertThat(state(grouped, series, Long.MIN_VALUE, true)).as("seed %d step %d", seed, step)
                            .isEqualTo(state(single, series, Long.MIN_VALUE, true));
                }
            }
            assertSameMinutes(grouped, single, Long.MAX_VALUE / 2, 0, "seed " + seed);
        }
    }

    private static String header(Head h) {
        return "from=" + h.from() + " minutesFrom=" + h.minutesFrom() + " samples=" + h.samples() + " bytes=" + h.bytes()
                + " cells=" + h.minuteCells() + " trims=" + h.pressureTrims();
    }

    /** Each series' samples at or after {@code from}, and its latest value if asked. */
    private static List<String> state(Head h, int series, long from, boolean latest) {
        List<String> out = new ArrayList<>();
        for (int id = 1; id <= series; id++) {
            StringBuilder sb = new StringBuilder();
            h.read(id, from, Long.MAX_VALUE, (t, v) -> sb.append(' ').append(t).append('=').append(v));
            if (latest) {
                h.latest(id, (t, v) -> sb.append(" latest ").append(t).append('=').append(v));
            }
            if (!sb.isEmpty()) {
                out.add("series " + id + ":" + sb);
            }
        }
        return out;
    }

    /**
     * The minute rows collected, and the missed minutes as a set. A minute's sum and sum of
     * squares are compared apart, within rounding: the grouped path folds a series' samples in
     * time order, the per-sample path in arrival order, and double addition is not associative.
     */
    private static List<String> minutes(Head h, long to, long dropBefore, Map<String, double[]> sums) {
        MinuteRows rows = new MinuteRows();
        h.collectMinutes(to, dropBefore, rows);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String key = rows.seriesId(i) + "@" + rows.minute(i);
            out.add(key + " n=" + rows.count(i) + " min=" + rows.min(i) + " max=" + rows.max(i) + " first=" + rows.first(i)
                    + " last=" + rows.last(i));
            sums.put(key, new double[] {rows.sum(i), rows.sumSq(i)});
        }
        out.sort(null);
        long[] missed = h.takeMissedMinutes();
        TreeSet<String> m = new TreeSet<>();
        for (int i = 0; i < missed.length; i += 2) {
            m.add(missed[i] + ".." + missed[i + 1]);
        }
        out.add("missed " + m);
        return out;
    }

    private static void assertSameMinutes(Head grouped, Head single, long to, long dropBefore, String as) {
        Map<String, double[]> groupedSums = new HashMap<>();
        Map<String, double[]> singleSums = new HashMap<>();
        assertThat(minutes(grouped, to, dropBefore, groupedSums)).as(as).isEqualTo(minutes(single, to, dropBefore, singleSums));
        assertThat(groupedSums.keySet()).as(as).isEqualTo(singleSums.keySet());
        groupedSums.forEach((k, g) -> {
            double[] o = singleSums.get(k);
            for (int j = 0; j < 2; j++) {
                assertThat(g[j]).as("%s %s", as, k).isCloseTo(o[j], within(1e-9 * Math.max(1, Math.abs(o[j]))));
            }
        });
    }
}
