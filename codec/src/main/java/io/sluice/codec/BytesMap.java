package io.sluice.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A bounded map from bytes to an int, for caches in front of slower lookups on a hot path: the
 * key is two byte ranges read as one (a prefix and a suffix, compared each at its own length, so
 * the same bytes split elsewhere are another key) plus a scope object compared by identity.
 * Exact: a value comes back only for equal bytes in the same scope.
 *
 * <p>Bounded: a fixed number of slots, keys of at most {@code maxBytes}. A key lives in one of
 * {@value #WINDOW} slots from its hash on; when they are all taken a new key replaces one of them
 * in turn. The slots' byte arrays are reused when big enough, so a steady stream over more keys
 * than it holds allocates only while the arrays grow to their largest. Not thread-safe.
 */
public final class BytesMap {
    /** Slots probed from a key's hash on: the key is in one of them or not at all. */
    static final int WINDOW = 8;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final int mask;
    private final int maxBytes;
    /**
     * Four ints a slot, together so that a probe reads one cache line rather than one per array
     * (an event loop streams request bodies through its caches between lookups): the hash, the
     * prefix's length, the key's length plus one (0: the slot is empty), the value.
     */
    private final int[] meta;
    private final Object[] scopes;
    private final byte[][] keys;
    private int size;
    private int replaced;

    /** @param slots a power of two */
    public BytesMap(int slots, int maxBytes) {
        if (Integer.bitCount(slots) != 1 || slots < WINDOW) {
            throw new IllegalArgumentException("slots must be a power of two of at least " + WINDOW + ", was " + slots);
        }
        this.mask = slots - 1;
        this.maxBytes = maxBytes;
        meta = new int[4 * slots];
        scopes = new Object[slots];
        keys = new byte[slots][];
    }

    /** Whether a key of these lengths may be held at all. */
    public boolean fits(int prefixLen, int suffixLen) {
        return prefixLen + suffixLen <= maxBytes;
    }

    /**
     * The value of {@code p[pOff, +pLen)} then {@code s[sOff, +sLen)} in {@code scope} (not null),
     * or {@code absent}; {@code hash} is the caller's hash of those bytes.
     */
    public int get(int hash, Object scope, byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen, int absent) {
        for (int i = 0; i < WINDOW; i++) {
            int slot = (hash + i) & mask;
            int m = 4 * slot;
            int stored = meta[m + 2];
            if (stored == 0) {
                return absent; // slots are never emptied one by one, so the key is not further on
            }
            if (meta[m] == hash && meta[m + 1] == pLen && stored == pLen + sLen + 1 && scopes[slot] == scope
                    && same(keys[slot], 0, p, pOff, pLen) && same(keys[slot], pLen, s, sOff, sLen)) {
                return meta[m + 3];
            }
        }
        return absent;
    }

    /**
     * Whether {@code a[aOff, +len)} equals {@code b[bOff, +len)}, a word at a time: the keys are
     * short (a series as written, mostly 10-40 bytes), where {@link Arrays#equals}' checks and call
     * cost more than the comparison (4 % of an event loop's CPU, docs/BENCHMARKS.md round 7).
     * The last word is read again from the end of the range rather than byte by byte.
     */
    static boolean same(byte[] a, int aOff, byte[] b, int bOff, int len) {
        if (len >= 8) {
            int last = len - 8;
            for (int i = 0; i < last; i += 8) {
                if ((long) LONGS.get(a, aOff + i) != (long) LONGS.get(b, bOff + i)) {
                    return false;
                }
            }
            return (long) LONGS.get(a, aOff + last) == (long) LONGS.get(b, bOff + last);
        }
        if (len >= 4) {
            return (int) INTS.get(a, aOff) == (int) INTS.get(b, bOff)
                    && (int) INTS.get(a, aOff + len - 4) == (int) INTS.get(b, bOff + len - 4);
        }
        for (int i = 0; i < len; i++) {
            if (a[aOff + i] != b[bOff + i]) {
                return false;
            }
        }
        return true;
    }

    /** Stores a key that {@link #get} did not find (one that {@link #fits}). */
    public void put(int hash, Object scope, byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen, int value) {
        int len = pLen + sLen;
        int slot = -1;
        for (int i = 0; i < WINDOW; i++) {
            int at = (hash + i) & mask;
            if (meta[4 * at + 2] == 0) {
                slot = at;
                size++;
                break;
            }
        }
        if (slot < 0) {
            slot = (hash + (replaced++ & (WINDOW - 1))) & mask;
        }
        byte[] k = keys[slot];
        if (k == null || k.length < len) {
            k = new byte[Math.max(32, Integer.highestOneBit(Math.max(1, len - 1)) << 1)];
            keys[slot] = k;
        }
        System.arraycopy(p, pOff, k, 0, pLen);
        System.arraycopy(s, sOff, k, pLen, sLen);
        int m = 4 * slot;
        meta[m] = hash;
        meta[m + 1] = pLen;
        meta[m + 2] = len + 1;
        meta[m + 3] = value;
        scopes[slot] = scope;
    }

    /** Keys held, at most the number of slots. */
    public int size() {
        return size;
    }

    public void clear() {
        Arrays.fill(meta, 0);
        Arrays.fill(scopes, null);
        size = 0;
    }
}
