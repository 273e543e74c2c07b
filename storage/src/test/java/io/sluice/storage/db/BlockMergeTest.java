package io.sluice.storage.db;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link BlockMerge}: blocks in PostgreSQL's binary COPY layout in, each series' samples out in time order. */
class BlockMergeTest {
    /** Block rows as {@code COPY (SELECT series_id, times, vals, steps ...) TO STDOUT (FORMAT binary)} sends them. */
    private static final class Copy {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);
        /** The times' element type: bigint, as the blocks hold them since schema step 014. */
        private int timesOid = 20;

        Copy() throws IOException {
            out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
            out.writeInt(0);
            out.writeInt(4); // a header extension, skipped
            out.writeInt(0xDEAD);
        }

        /** {@code steps} null: a NULL array; an element {@link BlockMerge#NO_STEP}: a NULL element. */
        Copy block(int series, long[] times, double[] vals, long[] steps) throws IOException {
            out.writeShort(4);
            out.writeInt(4);
            out.writeInt(series);
            array(times.length, timesOid, k -> times[k]);
            array(vals.length, 701, k -> Double.doubleToRawLongBits(vals[k]));
            if (steps == null) {
                out.writeInt(-1);
            } else {
                array(steps.length, 20, k -> steps[k]);
            }
            return this;
        }

        private void array(int n, int oid, java.util.function.IntToLongFunction element) throws IOException {
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(a);
            d.writeInt(n == 0 ? 0 : 1);
            d.writeInt(0);
            d.writeInt(oid);
            if (n > 0) {
                d.writeInt(n);
                d.writeInt(1);
            }
            for (int k = 0; k < n; k++) {
                long v = element.applyAsLong(k);
                if (oid == 20 && v == BlockMerge.NO_STEP) {
                    d.writeInt(-1);
                } else {
                    d.writeInt(8);
                    d.writeLong(v);
                }
            }
            out.writeInt(a.size());
            out.write(a.toByteArray());
        }

        /** The times as timestamptz[] (OID 1184), as blocks were before schema step 014. */
        Copy timestamptz() {
            timesOid = 1184;
            return this;
        }

        byte[] end() throws IOException {
            out.writeShort(-1);
            return bytes.toByteArray();
        }
    }

    /** Each row as "series@time=value/step". */
    private static List<String> merge(InputStream in) throws Exception {
        List<String> rows = new ArrayList<>();
        long n = new BlockMerge(in, (t, s, v, step) -> rows.add(s + "@" + t + "=" + v
                + (step == BlockMerge.NO_STEP ? "" : "/" + step))).run();
        assertThat(n).isEqualTo(rows.size());
        return rows;
    }

    private static long[] l(long... v) {
        return v;
    }

    private static double[] d(double... v) {
        return v;
    }

    @Test
    void disjointBlocksOfSeveralSeriesComeOutAsTheyWent() throws Exception {
        byte[] copy = new Copy().block(1, l(10, 20), d(1, 2), null).block(1, l(30), d(3), l(7))
                .block(2, l(5, 6), d(4, 5), l(BlockMerge.NO_STEP, 9)).end();
        assertThat(merge(new ByteArrayInputStream(copy)))
                .containsExactly("1@10=1.0", "1@20=2.0", "1@30=3.0/7", "2@5=4.0", "2@6=5.0/9");
    }

    @Test
    void overlappingBlocksOfASeriesAreMergedInTimeOrderAndEqualTimesKeepTheirBlocksOrder() throws Exception {
        // Ordered by their first time, as the seal's query sends them; two requests that interleave.
        byte[] copy = new Copy().block(3, l(10, 20, 30, 40), d(1, 2, 3, 4), null)
                .block(3, l(15, 20, 35), d(5, 6, 7), l(1, 2, 3))
                .block(3, l(38, 50), d(8, 9), null)
                .block(4, l(1), d(0), null).end();
        assertThat(merge(new ByteArrayInputStream(copy))).containsExactly("3@10=1.0", "3@15=5.0/1", "3@20=2.0",
                "3@20=6.0/2", "3@30=3.0", "3@35=7.0/3", "3@38=8.0", "3@40=4.0", "3@50=9.0", "4@1=0.0");
    }

    @Test
    void aBlockMadeBySqlOutOfOrderIsSortedAndShortStepsArePaddedWithNull() throws Exception {
        byte[] copy = new Copy().block(1, l(50, 10, 40, 20), d(5, 1, 4, 2), l(55))
                .block(1, new long[0], new double[0], null)
                .block(1, l(60), d(6), null).end();
        assertThat(merge(new ByteArrayInputStream(copy)))
                .containsExactly("1@10=1.0", "1@20=2.0", "1@40=4.0", "1@50=5.0/55", "1@60=6.0");
    }

    @Test
    void aStreamThatArrivesAByteAtATimeReadsTheSame() throws Exception {
        Copy c = new Copy();
        for (int s = 0; s < 20; s++) {
            for (int b = 0; b < 30; b++) {
                c.block(s, l(b * 10L, b * 10L + 5), d(b, -b), b % 2 == 0 ? null : l(b, BlockMerge.NO_STEP));
            }
        }
        byte[] copy = c.end();
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(copy)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        List<String> rows = merge(trickle);
        assertThat(rows).hasSize(20 * 30 * 2).isEqualTo(merge(new ByteArrayInputStream(copy)));
        assertThat(rows.get(0)).isEqualTo("0@0=0.0");
        assertThat(rows.get(3)).isEqualTo("0@15=-1.0");
    }

    @Test
    void manyDisjointBlocksOfOneSeriesHoldOneBlockAtATime() throws Exception {
        Copy c = new Copy();
        for (int b = 0; b < 5_000; b++) {
            long[] t = new long[5];
            double[] v = new double[5];
            for (int k = 0; k < 5; k++) {
                t[k] = b * 5L + k;
                v[k] = t[k];
            }
            c.block(1, t, v, null);
        }
        BlockMerge m = new BlockMerge(new ByteArrayInputStream(c.end()), (t, s, v, step) -> {
        });
        assertThat(m.run()).isEqualTo(25_000);
        assertThat(m.blocks()).isEqualTo(5_000);
        assertThat(m.mostHeld()).isEqualTo(5);
    }

    @Test
    void aNullTimeTimesNotBigintOrACopyCutShortIsAnError() throws Exception {
        byte[] ok = new Copy().block(1, l(10), d(1), null).end();
        byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 5);
        assertThatThrownBy(() -> merge(new ByteArrayInputStream(cut))).isInstanceOf(IOException.class)
                .hasMessageContaining("ended mid-row");
        byte[] nullTime = new Copy().block(1, l(10), d(1), null).end();
        // The time element's length word (8) made -1: a NULL element.
        int at = indexOf(nullTime, new byte[] {0, 0, 0, 8, 0, 0}, 30);
        nullTime[at] = nullTime[at + 1] = nullTime[at + 2] = nullTime[at + 3] = (byte) 0xFF;
        assertThatThrownBy(() -> merge(new ByteArrayInputStream(nullTime))).isInstanceOf(IOException.class)
                .hasMessageContaining("NULL time");
        byte[] timestamptz = new Copy().timestamptz().block(1, l(10), d(1), null).end();
        assertThatThrownBy(() -> merge(new ByteArrayInputStream(timestamptz))).isInstanceOf(IOException.class)
                .hasMessageContaining("times are of type OID 1184, expected 20");
        byte[] notCopy = "hello, world".getBytes();
        assertThatThrownBy(() -> merge(new ByteArrayInputStream(notCopy))).isInstanceOf(IOException.class)
                .hasMessageContaining("signature");
    }

    private static int indexOf(byte[] in, byte[] what, int from) {
        outer:
        for (int i = from; i <= in.length - what.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (in[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
