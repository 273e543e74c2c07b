package io.sluice.storage.query;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BucketRangesTest {
    private static final long M = 60_000_000L;
    private static final long H = 60 * M;
    private static final long D = 24 * H;

    @Test
    void overlappingAndTouchingPairsMergeAndEmptyOnesVanish() {
        BucketRanges r = BucketRanges.ofPairs(new long[] {5 * M, 7 * M, 0, 2 * M, 2 * M, 3 * M, 6 * M, 9 * M, 4 * M, 4 * M}, 5);
        assertThat(r).isEqualTo(BucketRanges.ofPairs(new long[] {0, 3 * M, 5 * M, 9 * M}, 2));
        assertThat(r.size()).isEqualTo(2);
        assertThat(r.buckets(M)).isEqualTo(7);
        assertThat(r.union(BucketRanges.of(3 * M, 5 * M))).isEqualTo(BucketRanges.of(0, 9 * M));
    }

    @Test
    void widenCoversEveryTouchedBucketAndClampCuts() {
        BucketRanges r = BucketRanges.ofPairs(new long[] {H + 5 * M, H + 6 * M, 3 * H + 59 * M, 4 * H + M}, 2);
        assertThat(r.widen(H)).isEqualTo(BucketRanges.ofPairs(new long[] {H, 2 * H, 3 * H, 5 * H}, 2));
        assertThat(r.widen(H).clamp(0, 4 * H)).isEqualTo(BucketRanges.ofPairs(new long[] {H, 2 * H, 3 * H, 4 * H}, 2));
        assertThat(r.clamp(5 * H, 6 * H).isEmpty()).isTrue();
    }

    @Test
    void halvesSplitOnABucketBoundaryAndTogetherAreTheWhole() {
        BucketRanges r = BucketRanges.ofPairs(new long[] {0, 3 * M, 10 * M, 15 * M}, 2);
        BucketRanges[] h = r.halves(M);
        assertThat(h[0].buckets(M)).isEqualTo(4);
        assertThat(h[1].buckets(M)).isEqualTo(4);
        assertThat(h[0].union(h[1])).isEqualTo(r);
        BucketRanges[] two = BucketRanges.ofPairs(new long[] {0, M, 5 * M, 6 * M}, 2).halves(M);
        assertThat(two[0]).isEqualTo(BucketRanges.of(0, M));
        assertThat(two[1]).isEqualTo(BucketRanges.of(5 * M, 6 * M));
    }

    @Test
    void splitAtDaysGroupsTheRangesOfEachDay() {
        BucketRanges r = BucketRanges.ofPairs(new long[] {D - M, D + M, D + H, D + 2 * H, 3 * D, 3 * D + M}, 3);
        List<BucketRanges> days = r.splitAt(D);
        assertThat(days).containsExactly(BucketRanges.of(D - M, D),
                BucketRanges.ofPairs(new long[] {D, D + M, D + H, D + 2 * H}, 2), BucketRanges.of(3 * D, 3 * D + M));
        assertThat(days.get(1).multirange()).isEqualTo(
                "{[1970-01-02T00:00:00Z,1970-01-02T00:01:00Z),[1970-01-02T01:00:00Z,1970-01-02T02:00:00Z)}");
    }
}
