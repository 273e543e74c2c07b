package io.sluice.storage.query;

/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson, "Downsampling Time Series for Visual
 * Representation", 2013, §4.2): keeps the first and last points and, from each of the
 * {@code threshold - 2} buckets in between, the point forming the largest triangle with the point
 * kept before it and the average of the next bucket. Charts keep their peaks and troughs.
 *
 * <p>Works on parallel arrays and writes into caller-provided ones: no per-point allocation.
 */
public final class Lttb {
    private Lttb() {
    }

    /**
     * @param xs        times, ascending
     * @param ys        values
     * @param n         points used from the arrays
     * @param threshold points wanted (at least 3 for downsampling to happen)
     * @param outX      receives the kept times; length at least {@code min(n, threshold)}
     * @param outY      receives the kept values
     * @return points written
     */
    public static int downsample(long[] xs, double[] ys, int n, int threshold, long[] outX, double[] outY) {
        if (threshold >= n || threshold < 3) {
            int m = threshold < 3 ? Math.min(n, Math.max(threshold, 0)) : n;
            if (threshold > 0 && threshold < 3 && n > 0) {
                // Asked for one or two points: the first, and the last if two.
                outX[0] = xs[0];
                outY[0] = ys[0];
                if (m == 2) {
                    outX[1] = xs[n - 1];
                    outY[1] = ys[n - 1];
                }
                return m;
            }
            System.arraycopy(xs, 0, outX, 0, m);
            System.arraycopy(ys, 0, outY, 0, m);
            return m;
        }
        double every = (double) (n - 2) / (threshold - 2);
        int a = 0;
        int out = 0;
        outX[out] = xs[0];
        outY[out++] = ys[0];
        for (int i = 0; i < threshold - 2; i++) {
            // The average of the next bucket is the third corner of the triangle.
            int avgStart = (int) Math.floor((i + 1) * every) + 1;
            int avgEnd = Math.min((int) Math.floor((i + 2) * every) + 1, n);
            double avgX = 0;
            double avgY = 0;
            for (int j = avgStart; j < avgEnd; j++) {
                avgX += xs[j];
                avgY += ys[j];
            }
            int avgLen = avgEnd - avgStart;
            avgX /= avgLen;
            avgY /= avgLen;

            int rangeStart = (int) Math.floor(i * every) + 1;
            int rangeEnd = (int) Math.floor((i + 1) * every) + 1;
            double ax = xs[a];
            double ay = ys[a];
            double maxArea = -1;
            int next = rangeStart;
            for (int j = rangeStart; j < rangeEnd; j++) {
                double area = Math.abs((ax - avgX) * (ys[j] - ay) - (ax - xs[j]) * (avgY - ay));
                if (area > maxArea) {
                    maxArea = area;
                    next = j;
                }
            }
            outX[out] = xs[next];
            outY[out++] = ys[next];
            a = next;
        }
        outX[out] = xs[n - 1];
        outY[out++] = ys[n - 1];
        return out;
    }
}
