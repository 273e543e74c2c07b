package io.sluice.storage.query;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LttbTest {
    /** A slow, literal reading of the paper's algorithm, on lists of points, for comparison. */
    static List<double[]> reference(List<double[]> data, int threshold) {
        if (threshold >= data.size() || threshold < 3) {
            return data;
        }
        List<double[]> sampled = new ArrayList<>();
        double bucketSize = (double) (data.size() - 2) / (threshold - 2);
        int a = 0;
        sampled.add(data.get(0));
        for (int i = 0; i < threshold - 2; i++) {
            int avgRangeStart = (int) Math.floor((i + 1) * bucketSize) + 1;
            int avgRangeEnd = (int) Math.floor((i + 2) * bucketSize) + 1;
            avgRangeEnd = Math.min(avgRangeEnd, data.size());
            double sx = 0;
            double sy = 0;
            for (int j = avgRangeStart; j < avgRangeEnd; j++) {
                sx += data.get(j)[0];
                sy += data.get(j)[1];
            }
            double avgX = sx / (avgRangeEnd - avgRangeStart);
            double avgY = sy / (avgRangeEnd - avgRangeStart);
            int start = (int) Math.floor(i * bucketSize) + 1;
            int end = (int) Math.floor((i + 1) * bucketSize) + 1;
            double best = -1;
            int pick = start;
            for (int j = start; j < end; j++) {
                double[] p = data.get(j);
                double[] pa = data.get(a);
                double area = 0.5 * Math.abs((pa[0] - avgX) * (p[1] - pa[1]) - (pa[0] - p[0]) * (avgY - pa[1]));
                if (area > best) {
                    best = area;
                    pick = j;
                }
            }
            sampled.add(data.get(pick));
            a = pick;
        }
        sampled.add(data.get(data.size() - 1));
        return sampled;
    }

    @Test
    void matchesTheReferenceOnRandomSeries() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int n = 3 + r.nextInt(3000);
            int threshold = 3 + r.nextInt(Math.max(1, n));
            long[] xs = new long[n];
            double[] ys = new double[n];
            List<double[]> pts = new ArrayList<>();
            long t = r.nextInt(1000);
            for (int i = 0; i < n; i++) {
                t += 1 + r.nextInt(1000);
                xs[i] = t;
                ys[i] = r.nextGaussian() * 100 + (r.nextInt(50) == 0 ? 5000 : 0);
                pts.add(new double[] {xs[i], ys[i]});
            }
            long[] ox = new long[n];
            double[] oy = new double[n];
            int m = Lttb.downsample(xs, ys, n, threshold, ox, oy);
            List<double[]> ref = reference(pts, threshold);
            assertThat(m).as("seed %d round %d", seed, round).isEqualTo(ref.size());
            for (int i = 0; i < m; i++) {
                assertThat((double) ox[i]).as("seed %d round %d point %d", seed, round, i).isEqualTo(ref.get(i)[0]);
                assertThat(oy[i]).isEqualTo(ref.get(i)[1]);
            }
        }
    }

    @Test
    void fewerPointsThanAskedAreReturnedAsTheyAre() {
        long[] xs = {1, 2, 3};
        double[] ys = {5, 6, 7};
        long[] ox = new long[3];
        double[] oy = new double[3];
        assertThat(Lttb.downsample(xs, ys, 3, 10, ox, oy)).isEqualTo(3);
        assertThat(ox).containsExactly(1, 2, 3);
        assertThat(oy).containsExactly(5, 6, 7);
    }

    @Test
    void twoPointsAreTheFirstAndTheLast() {
        long[] xs = {1, 2, 3, 4, 5};
        double[] ys = {1, 9, 2, 8, 3};
        long[] ox = new long[5];
        double[] oy = new double[5];
        assertThat(Lttb.downsample(xs, ys, 5, 2, ox, oy)).isEqualTo(2);
        assertThat(ox[0]).isEqualTo(1);
        assertThat(ox[1]).isEqualTo(5);
    }

    @Test
    void aConstantSeriesKeepsItsEndsAndValue() {
        int n = 1000;
        long[] xs = new long[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i;
            ys[i] = 42;
        }
        long[] ox = new long[100];
        double[] oy = new double[100];
        assertThat(Lttb.downsample(xs, ys, n, 100, ox, oy)).isEqualTo(100);
        assertThat(ox[0]).isZero();
        assertThat(ox[99]).isEqualTo(999);
        for (int i = 0; i < 100; i++) {
            assertThat(oy[i]).isEqualTo(42);
        }
        for (int i = 1; i < 100; i++) {
            assertThat(ox[i]).isGreaterThan(ox[i - 1]);
        }
    }

    @Test
    void aSpikeSurvivesDownsampling() {
        int n = 10_000;
        long[] xs = new long[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i;
            ys[i] = i == 4321 ? 1e6 : Math.sin(i / 100.0);
        }
        long[] ox = new long[50];
        double[] oy = new double[50];
        Lttb.downsample(xs, ys, n, 50, ox, oy);
        assertThat(oy).contains(1e6);
    }
}
