package io.sluice.storage.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of time ranges, each {@code [lo, hi)} in epoch microseconds, kept sorted and disjoint
 * (touching ranges are merged): the buckets one rollup refresh statement recomputes. Immutable.
 */
public final class BucketRanges {
    public static final BucketRanges EMPTY = new BucketRanges(new long[0]);

    /** lo0, hi0, lo1, hi1, ...: sorted, disjoint, no two touching. */
    private final long[] bounds;

    private BucketRanges(long[] bounds) {
        this.bounds = bounds;
    }

    public static BucketRanges of(long lo, long hi) {
        return lo < hi ? new BucketRanges(new long[] {lo, hi}) : EMPTY;
    }

    /** Ranges from unsorted, possibly overlapping pairs: {@code pairs[2k]} to {@code pairs[2k+1]}. */
    public static BucketRanges ofPairs(long[] pairs, int count) {
        long[][] rs = new long[count][];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (pairs[2 * i] < pairs[2 * i + 1]) {
                rs[n++] = new long[] {pairs[2 * i], pairs[2 * i + 1]};
            }
        }
        Arrays.sort(rs, 0, n, (a, b) -> Long.compare(a[0], b[0]));
        long[] out = new long[2 * n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m > 0 && rs[i][0] <= out[m - 1]) {
                out[m - 1] = Math.max(out[m - 1], rs[i][1]);
            } else {
                out[m++] = rs[i][0];
                out[m++] = rs[i][1];
            }
        }
        return new BucketRanges(Arrays.copyOf(out, m));
    }

    public boolean isEmpty() {
        return bounds.length == 0;
    }

    /** Number of ranges. */
    public int size() {
        return bounds.length / 2;
    }

    public long lo(int i) {
        return bounds[2 * i];
    }

    public long hi(int i) {
        return bounds[2 * i + 1];
    }

    /** Start of the first range; only when not empty. */
    public long min() {
        return bounds[0];
    }

    /** End of the last range; only when not empty. */
    public long max() {
        return bounds[bounds.length - 1];
    }

    public BucketRanges union(BucketRanges other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        long[] pairs = Arrays.copyOf(bounds, bounds.length + other.bounds.length);
        System.arraycopy(other.bounds, 0, pairs, bounds.length, other.bounds.length);
        return ofPairs(pairs, pairs.length / 2);
    }

    /** Each range widened to whole buckets of {@code width}: the buckets of that width it touches. */
    public BucketRanges widen(long width) {
        long[] pairs = new long[bounds.length];
        for (int i = 0; i < bounds.length; i += 2) {
            pairs[i] = Rollups.floor(bounds[i], width);
            pairs[i + 1] = -Rollups.floor(-bounds[i + 1], width);
        }
        return ofPairs(pairs, pairs.length / 2);
    }

    /** The part within {@code [from, to)}. */
    public BucketRanges clamp(long from, long to) {
        long[] pairs = new long[bounds.length];
        for (int i = 0; i < bounds.length; i += 2) {
            pairs[i] = Math.max(from, bounds[i]);
            pairs[i + 1] = Math.min(to, bounds[i + 1]);
        }
        return ofPairs(pairs, pairs.length / 2);
    }

    /** Whole buckets of {@code width} covered (ranges are assumed aligned to it). */
    public long buckets(long width) {
        long n = 0;
        for (int i = 0; i < bounds.length; i += 2) {
            n += (bounds[i + 1] - bounds[i] + width - 1) / width;
        }
        return n;
    }

    /**
     * The first half of the buckets and the rest, split on a bucket boundary; only when
     * {@link #buckets} is at least 2.
     */
    public BucketRanges[] halves(long width) {
        long target = buckets(width) / 2;
        long seen = 0;
        for (int i = 0; i < bounds.length; i += 2) {
            long n = (bounds[i + 1] - bounds[i] + width - 1) / width;
            if (seen + n > target) {
                long cut = bounds[i] + (target - seen) * width;
                long[] left = Arrays.copyOf(bounds, i + 2);
                long[] right = Arrays.copyOfRange(bounds, i, bounds.length);
                if (cut == bounds[i]) {
                    left = Arrays.copyOf(bounds, i);
                } else {
                    left[i + 1] = cut;
                    right[0] = cut;
                }
                return new BucketRanges[] {new BucketRanges(left), new BucketRanges(right)};
            }
            seen += n;
        }
        return new BucketRanges[] {this, EMPTY};
    }

    /** The ranges cut at every multiple of {@code width} they cross, grouped by those pieces. */
    public List<BucketRanges> splitAt(long width) {
        List<BucketRanges> out = new ArrayList<>();
        List<Long> cur = new ArrayList<>();
        long curSlot = Long.MIN_VALUE;
        for (int i = 0; i < bounds.length; i += 2) {
            long lo = bounds[i];
            while (lo < bounds[i + 1]) {
                long slot = Rollups.floor(lo, width);
                long hi = Math.min(bounds[i + 1], slot + width);
                if (slot != curSlot && !cur.isEmpty()) {
                    out.add(fromList(cur));
                    cur.clear();
                }
                curSlot = slot;
                cur.add(lo);
                cur.add(hi);
                lo = hi;
            }
        }
        if (!cur.isEmpty()) {
            out.add(fromList(cur));
        }
        return out;
    }

    private static BucketRanges fromList(List<Long> xs) {
        long[] b = new long[xs.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = xs.get(i);
        }
        return ofPairs(b, b.length / 2);
    }

    /** A {@code tstzmultirange} literal, e.g. {@code {[2026-11-22T10:00:00Z,2026-11-22T10:05:00Z)}}. */
    public String multirange() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < bounds.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('[').append(Rollups.micros(bounds[i])).append(',').append(Rollups.micros(bounds[i + 1])).append(')');
        }
        return sb.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BucketRanges b && Arrays.equals(bounds, b.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bounds.length; i += 2) {
            sb.append(sb.length() > 0 ? ", " : "").append(Rollups.micros(bounds[i])).append("..")
                    .append(Rollups.micros(bounds[i + 1]));
        }
        return "[" + sb + "]";
    }
}
