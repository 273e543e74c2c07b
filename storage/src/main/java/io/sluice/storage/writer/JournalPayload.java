package io.sluice.storage.writer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The samples of one journal row ({@code sluice_journal.payload}, schema/015_journal.sql), in a
 * form of Sluice's own: a version byte, the sample count, then the columns one after the other,
 * big-endian: series ids (4 bytes each), times (Unix microseconds, 8), values (IEEE 754 bits, 8),
 * a byte saying whether steps follow, and then the steps (8 each, {@link CopyEncoder#NO_STEP}
 * for none). 20 bytes a sample without steps. Series are resolved before a batch is journaled,
 * so ids are enough.
 */
public final class JournalPayload {
    static final byte VERSION = 1;
    private static final int HEADER = 1 + 4;

    /** The encoded bytes: {@code bytes[0 .. length)}; the array is reused from one batch to the next. */
    private byte[] bytes = new byte[1 << 16];
    private int length;

    /** Encodes the samples {@code rows[0 .. n)} (indexes into the columns). */
    void encode(int[] rows, int n, int[] seriesIds, long[] times, double[] values, long[] steps) {
        boolean withSteps = false;
        for (int k = 0; k < n && !withSteps; k++) {
            withSteps = steps[rows[k]] != CopyEncoder.NO_STEP;
        }
        int need = HEADER + n * 20 + 1 + (withSteps ? n * 8 : 0);
        if (bytes.length < need) {
            bytes = new byte[Math.max(need, bytes.length * 2)];
        }
        byte[] b = bytes;
        b[0] = VERSION;
        INT.set(b, 1, n);
        int p = HEADER;
        for (int k = 0; k < n; k++, p += 4) {
            INT.set(b, p, seriesIds[rows[k]]);
        }
        for (int k = 0; k < n; k++, p += 8) {
            LONG.set(b, p, times[rows[k]]);
        }
        for (int k = 0; k < n; k++, p += 8) {
            LONG.set(b, p, Double.doubleToRawLongBits(values[rows[k]]));
        }
        b[p++] = (byte) (withSteps ? 1 : 0);
        if (withSteps) {
            for (int k = 0; k < n; k++, p += 8) {
                LONG.set(b, p, steps[rows[k]]);
            }
        }
        length = p;
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** Samples a payload holds, without decoding it. */
    static int count(byte[] payload) {
        check(payload);
        return (int) INT.get(payload, 1);
    }

    /**
     * Decodes {@code payload} into {@code into}'s columns from {@code at}; they must have room for
     * {@link #count} samples.
     */
    static void decode(byte[] payload, int at, int[] seriesIds, long[] times, double[] values, long[] steps) {
        int n = count(payload);
        int p = HEADER;
        if (payload.length < HEADER + n * 20 + 1) {
            throw new IllegalArgumentException("journal payload shorter than its " + n + " samples: " + payload.length + " bytes");
        }
        for (int k = 0; k < n; k++, p += 4) {
            seriesIds[at + k] = (int) INT.get(payload, p);
        }
        for (int k = 0; k < n; k++, p += 8) {
            times[at + k] = (long) LONG.get(payload, p);
        }
        for (int k = 0; k < n; k++, p += 8) {
            values[at + k] = Double.longBitsToDouble((long) LONG.get(payload, p));
        }
        if (payload[p++] == 0) {
            Arrays.fill(steps, at, at + n, CopyEncoder.NO_STEP);
            return;
        }
        if (payload.length < p + n * 8) {
            throw new IllegalArgumentException("journal payload shorter than its " + n + " steps: " + payload.length + " bytes");
        }
        for (int k = 0; k < n; k++, p += 8) {
            steps[at + k] = (long) LONG.get(payload, p);
        }
    }

    private static void check(byte[] payload) {
        if (payload.length < HEADER || payload[0] != VERSION) {
            throw new IllegalArgumentException("not a journal payload of version " + VERSION + " ("
                    + payload.length + " bytes" + (payload.length > 0 ? ", version " + payload[0] : "") + ")");
        }
    }

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
}
