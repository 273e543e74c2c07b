package io.sluice.agent.collect;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CpuCollectorTest {
    @Test
    void sharesOfTheTicksBetweenTwoReadingsAddUpTo100() {
        long[] before = {100, 0, 50, 800, 10, 0, 5, 0};
        long[] now = {160, 0, 70, 900, 20, 0, 15, 0};
        double[] p = CpuCollector.percentages(before, now);
        assertThat(p[0]).isCloseTo(30.0, within(1e-9)); // user 60 of 200
        assertThat(p[3]).isCloseTo(50.0, within(1e-9)); // idle
        assertThat(p[4]).isCloseTo(5.0, within(1e-9));  // iowait
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        assertThat(sum).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void aCounterThatWentDownCountsAsZeroSoSharesStayWithin0To100() {
        long[] before = {100, 0, 50, 800, 40, 0, 0, 0};
        long[] now = {150, 0, 50, 850, 30, 0, 0, 0}; // Linux's iowait can go back
        double[] p = CpuCollector.percentages(before, now);
        assertThat(p[4]).isZero();
        assertThat(java.util.Arrays.stream(p).boxed()).allSatisfy(v -> assertThat(v).isBetween(0.0, 100.0));
    }

    @Test
    void noTickBetweenReadingsGivesNothing() {
        long[] t = {1, 2, 3, 4, 5, 6, 7, 8};
        assertThat(CpuCollector.percentages(t, t.clone())).isNull();
    }
}
