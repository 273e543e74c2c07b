package io.sluice.codec.influx;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time for the line protocol's long runs: nanosecond timestamps (19 digits),
 * long decimals, the search for the end of a line. Each method reads a whole word as a
 * little-endian long and answers exactly what the byte-by-byte loop it replaces would (the
 * digit tricks are those of Lemire's "Number Parsing at a Gigabyte per Second", 2021).
 */
final class Digits8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ZEROS = 0x3030_3030_3030_3030L;
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;
    private static final long NEWLINES = 0x0A0A_0A0A_0A0A_0A0AL;

    private Digits8() {
    }

    /**
     * The value of the eight ASCII digits at {@code b[p, p+8)}, the first the most significant,
     * or -1 when any of them is not a digit. The caller makes sure eight bytes are there.
     */
    static long value(byte[] b, int p) {
        long w = (long) LONGS.get(b, p);
        // Every byte 0x30..0x39: its high nibble is 3, and adding 6 does not carry out of it.
        if (((w & 0xF0F0_F0F0_F0F0_F0F0L) | (((w + 0x0606_0606_0606_0606L) & 0xF0F0_F0F0_F0F0_F0F0L) >>> 4))
                != 0x3333_3333_3333_3333L) {
            return -1;
        }
        w -= ZEROS;
        // Pairs, then quads, then the eight: each step multiplies the higher digits by 10, 100, 10^4.
        w = (w * 10 + (w >>> 8)) & 0x00FF_00FF_00FF_00FFL;
        w = (w * 100 + (w >>> 16)) & 0x0000_FFFF_0000_FFFFL;
        return (w * 10_000 + (w >>> 32)) & 0xFFFF_FFFFL;
    }

    /** The index of the first LF in {@code b[from, end)}, or {@code end}. */
    static int newline(byte[] b, int from, int end) {
        int n = from;
        for (; n + 8 <= end; n += 8) {
            long x = (long) LONGS.get(b, n) ^ NEWLINES;
            // A zero byte of x is an LF; the lowest flagged byte is always a true one.
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return n + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        while (n < end && b[n] != '\n') {
            n++;
        }
        return n;
    }
}
