package io.sluice.storage.writer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A journal row's payload (schema/015_journal.sql) decodes to the rows it was made of. */
class JournalPayloadTest {
    @Test
    void theChosenRowsComeBackInOrderWithAndWithoutSteps() {
        int[] ids = {7, 8, 9, 10};
        long[] times = {1_780_000_000_000_001L, -5L, 0L, Long.MAX_VALUE};
        double[] values = {1.5, -0.0, Double.MIN_VALUE, 1e100};
        long[] noSteps = {CopyEncoder.NO_STEP, CopyEncoder.NO_STEP, CopyEncoder.NO_STEP, CopyEncoder.NO_STEP};
        long[] someSteps = {CopyEncoder.NO_STEP, 3, CopyEncoder.NO_STEP, 60_000_000L};
        int[] rows = {3, 1, 0};

        JournalPayload p = new JournalPayload();
        p.encode(rows, rows.length, ids, times, values, noSteps);
        byte[] plain = Arrays.copyOf(p.bytes(), p.length());
        assertThat(plain).hasSize(1 + 4 + 3 * 20 + 1);
        assertDecodes(plain, new int[] {10, 8, 7}, new long[] {Long.MAX_VALUE, -5L, 1_780_000_000_000_001L},
                new double[] {1e100, -0.0, 1.5}, new long[] {CopyEncoder.NO_STEP, CopyEncoder.NO_STEP, CopyEncoder.NO_STEP});

        p.encode(rows, rows.length, ids, times, values, someSteps);
        byte[] stepped = Arrays.copyOf(p.bytes(), p.length());
        assertThat(stepped).hasSize(1 + 4 + 3 * 28 + 1);
        assertDecodes(stepped, new int[] {10, 8, 7}, new long[] {Long.MAX_VALUE, -5L, 1_780_000_000_000_001L},
                new double[] {1e100, -0.0, 1.5}, new long[] {60_000_000L, 3, CopyEncoder.NO_STEP});
    }

    @Test
    void aPayloadOfAnotherVersionOrCutShortIsRefused() {
        JournalPayload p = new JournalPayload();
        p.encode(new int[] {0}, 1, new int[] {1}, new long[] {2}, new double[] {3}, new long[] {CopyEncoder.NO_STEP});
        byte[] ok = Arrays.copyOf(p.bytes(), p.length());
        byte[] other = ok.clone();
        other[0] = 2;
        assertThatThrownBy(() -> JournalPayload.count(other)).hasMessageContaining("version 2");
        byte[] cut = Arrays.copyOf(ok, ok.length - 2);
        assertThatThrownBy(() -> JournalPayload.decode(cut, 0, new int[1], new long[1], new double[1], new long[1]))
                .hasMessageContaining("shorter than its 1 samples");
    }

    private static void assertDecodes(byte[] payload, int[] ids, long[] times, double[] values, long[] steps) {
        int n = JournalPayload.count(payload);
        assertThat(n).isEqualTo(ids.length);
        int[] i2 = new int[n + 2];
        long[] t2 = new long[n + 2];
        double[] v2 = new double[n + 2];
        long[] s2 = new long[n + 2];
        JournalPayload.decode(payload, 2, i2, t2, v2, s2);
        assertThat(Arrays.copyOfRange(i2, 2, n + 2)).containsExactly(ids);
        assertThat(Arrays.copyOfRange(t2, 2, n + 2)).containsExactly(times);
        for (int k = 0; k < n; k++) {
            assertThat(Double.doubleToRawLongBits(v2[k + 2])).isEqualTo(Double.doubleToRawLongBits(values[k]));
        }
        assertThat(Arrays.copyOfRange(s2, 2, n + 2)).containsExactly(steps);
    }
}
