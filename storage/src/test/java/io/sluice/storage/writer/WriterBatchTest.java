package io.sluice.storage.writer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The writer's grouping of a unit's rows by series, ahead of cutting them into blocks. */
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
}
