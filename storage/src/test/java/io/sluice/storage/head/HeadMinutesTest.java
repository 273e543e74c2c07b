package io.sluice.storage.head;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The head's 1-minute aggregates for the rollup: what a refresh takes, once, and what it lets go of. */
class HeadMinutesTest {
    private static final long M = 60_000_000L;

    private static MinuteRows collect(Head h, long to, long dropBefore) {
        MinuteRows rows = new MinuteRows();
        assertThat(h.collectMinutes(to, dropBefore, rows)).isTrue();
        return rows;
    }

    private static void add(Head h, int id, long time, double value, long loggedBefore) {
        h.append(new int[] {id}, new long[] {time}, new double[] {value}, 0, 1, loggedBefore);
    }

    @Test
    void eachMinuteIsTheAggregateOfAllItsSamplesAndIsTakenOnlyAfterItChanged() {
        Head h = new Head(1 << 20, true);
        h.start(10 * M);
        // Out of order within the minute: first and last follow time, not arrival.
        add(h, 1, 10 * M + 30_000_000, 4, Long.MIN_VALUE);
        add(h, 1, 10 * M + 10_000_000, -2, Long.MIN_VALUE);
        add(h, 1, 10 * M + 50_000_000, 1, Long.MIN_VALUE);
        add(h, 2, 11 * M + 1, 7, Long.MIN_VALUE);
        add(h, 1, 12 * M, 9, Long.MIN_VALUE); // the current minute: not taken yet
        MinuteRows rows = collect(h, 12 * M, 0);
        assertThat(rows.size()).isEqualTo(2);
        int a = rows.seriesId(0) == 1 ? 0 : 1; // series come in the head's order
        assertThat(rows.seriesId(a)).isEqualTo(1);
        assertThat(rows.minute(a)).isEqualTo(10 * M);
        assertThat(rows.count(a)).isEqualTo(3);
        assertThat(rows.sum(a)).isEqualTo(3.0);
        assertThat(rows.min(a)).isEqualTo(-2.0);
        assertThat(rows.max(a)).isEqualTo(4.0);
        assertThat(rows.sumSq(a)).isEqualTo(21.0);
        assertThat(rows.first(a)).isEqualTo(-2.0);
        assertThat(rows.last(a)).isEqualTo(1.0);
        assertThat(rows.seriesId(1 - a)).isEqualTo(2);
        assertThat(rows.minute(1 - a)).isEqualTo(11 * M);
        assertThat(h.minuteCells()).isEqualTo(3);

        assertThat(collect(h, 12 * M, 0).size()).isZero(); // nothing changed since
        add(h, 1, 10 * M + 20_000_000, 5, Long.MIN_VALUE);  // a late sample: the whole minute again
        rows = collect(h, 13 * M, 0);
        assertThat(rows.size()).isEqualTo(2); // one series: its two minutes, in time order
        assertThat(rows.count(0)).isEqualTo(4);
        assertThat(rows.sum(0)).isEqualTo(8.0);
        assertThat(rows.minute(1)).isEqualTo(12 * M);
    }

    @Test
    void aSampleForAMinuteLetGoIsNamedUnlessItsWriterLoggedIt() {
        Head h = new Head(1 << 20, true);
        h.start(10 * M);
        add(h, 1, 10 * M, 1, Long.MIN_VALUE);
        add(h, 1, 15 * M, 1, Long.MIN_VALUE);
        collect(h, 16 * M, 14 * M);
        assertThat(h.minutesFrom()).isEqualTo(14 * M);
        assertThat(h.minuteCells()).isEqualTo(1);
        add(h, 1, 11 * M + 5, 1, Long.MIN_VALUE); // its writer did not log it: named
        add(h, 1, 12 * M + 5, 1, 13 * M);         // logged (older than its writer's live window): not named
        add(h, 2, 11 * M + 9, 1, Long.MIN_VALUE); // the same minute once
        assertThat(h.takeMissedMinutes()).containsExactly(11 * M, 12 * M); // one minute: [11m, 12m)
        assertThat(h.takeMissedMinutes()).isEmpty();
        // Before the head starts nothing is covered and nothing named.
        Head idle = new Head(1 << 20, true);
        add(idle, 1, 11 * M, 1, Long.MIN_VALUE);
        assertThat(idle.takeMissedMinutes()).isEmpty();
        assertThat(idle.collectMinutes(20 * M, 0, new MinuteRows())).isFalse();
    }

    @Test
    void theAggregatesStayWithinTheirBoundAndSealingDoesNotTouchThem() {
        // 1 MiB: 1,024 cells at most (an eighth of it, 128 bytes a cell).
        Head h = new Head(1 << 20, true);
        h.start(0);
        for (int s = 0; s < 600; s++) {
            add(h, s, 1 * M, s, Long.MIN_VALUE);
            add(h, s, 2 * M, s, Long.MIN_VALUE);
        }
        h.advance(5 * M); // sealing lets go of the samples, not of the aggregates
        assertThat(h.minuteCells()).isEqualTo(1_200);
        MinuteRows rows = collect(h, 3 * M, 0);
        assertThat(rows.size()).isEqualTo(1_200);
        assertThat(h.minuteCellTrims()).isEqualTo(1);
        assertThat(h.minuteCells()).isZero();
        assertThat(h.minutesFrom()).isEqualTo(3 * M);
    }

    @Test
    void minutesGivenBackByAFailedRefreshAreTakenAgain() {
        Head h = new Head(1 << 20, true);
        h.start(0);
        h.missRanges(new long[] {2 * M, 4 * M, 9 * M, 10 * M});
        assertThat(h.takeMissedMinutes()).containsExactly(2 * M, 3 * M, 3 * M, 4 * M, 9 * M, 10 * M);
        h.missRanges(new long[] {0, 10_000 * M}); // more minutes than it names one by one: one span
        assertThat(h.takeMissedMinutes()).containsExactly(0, 10_000 * M);
    }

    @Test
    void withoutTheRollupNothingIsAggregated() {
        Head h = new Head(1 << 20);
        h.start(0);
        add(h, 1, M, 1, Long.MIN_VALUE);
        assertThat(h.minutesFrom()).isEqualTo(Long.MAX_VALUE);
        assertThat(h.minuteCells()).isZero();
        assertThat(h.takeMissedMinutes()).isEmpty();
    }
}
