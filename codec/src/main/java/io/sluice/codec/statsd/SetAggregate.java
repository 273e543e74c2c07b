package io.sluice.codec.statsd;

import io.sluice.codec.SeriesKey;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A set: how many distinct members it saw in the interval. Members are kept as 64-bit hashes in an
 * open-addressing table (no object per member), so two members count as one only if their hashes
 * collide: with n members, a chance of about n²/2⁶⁵ (under 10⁻¹¹ for 10,000).
 */
final class SetAggregate extends Aggregate {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int FIRST = 16;

    /** 0 marks an empty slot; a member hashing to 0 is stored as 1. */
    private long[] table;
    private int size;

    SetAggregate(SeriesKey key) {
        super(key, StatsdType.SET);
    }

    /** @return false when the member is new and the set is full (its size cap or the budget) */
    boolean add(byte[] b, int off, int len, int maxSize, Budget budget) {
        if (table == null) {
            table = new long[FIRST];
            budget.force(FIRST * 8L);
        }
        long h = hash(b, off, len);
        int mask = table.length - 1;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (table[i] != 0) {
            if (table[i] == h) {
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size >= maxSize) {
            return false;
        }
        if ((size + 1) * 2 > table.length) {
            if (!budget.take(table.length * 8L)) {
                return false;
            }
            grow();
            return add(b, off, len, maxSize, budget);
        }
        table[i] = h;
        size++;
        return true;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        int mask = table.length - 1;
        for (long h : old) {
            if (h != 0) {
                int i = (int) (h ^ (h >>> 32)) & mask;
                while (table[i] != 0) {
                    i = (i + 1) & mask;
                }
                table[i] = h;
            }
        }
    }

    /** Eight bytes a step, then a final mix (the finaliser of SplitMix64). */
    static long hash(byte[] b, int off, int len) {
        long h = 0x9E3779B97F4A7C15L ^ len;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft(h ^ ((long) LONGS.get(b, i) * 0xBF58476D1CE4E5B9L), 27) * 0x94D049BB133111EBL;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (b[i] & 0xFFL) << shift;
        }
        h ^= tail * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return h == 0 ? 1 : h;
    }

    @Override
    void emit(Emitter out) {
        out.sample(key, null, size);
    }

    @Override
    void reset() {
        Arrays.fill(table, 0);
        size = 0;
    }

    @Override
    void release(Budget budget) {
        if (table != null) {
            budget.release(table.length * 8L);
        }
    }
}
