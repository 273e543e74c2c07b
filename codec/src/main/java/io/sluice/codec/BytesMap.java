package io.sluice.codec;

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

    private final int mask;
    private final int maxBytes;
    private final int[] hashes;
    private final int[] values;
    /** Null for an empty slot. */
    private final Object[] scopes;
    private final byte[][] keys;
    private final int[] prefixLengths;
    private final int[] lengths;
    private int size;
    private int replaced;

    /** @param slots a power of two */
    public BytesMap(int slots, int maxBytes) {
        if (Integer.bitCount(slots) != 1 || slots < WINDOW) {
            throw new IllegalArgumentException("slots must be a power of two of at least " + WINDOW + ", was " + slots);
        }
        this.mask = slots - 1;
        this.maxBytes = maxBytes;
        hashes = new int[slots];
        values = new int[slots];
        scopes = new Object[slots];
        keys = new byte[slots][];
        prefixLengths = new int[slots];
        lengths = new int[slots];
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
            if (scopes[slot] == null) {
                return absent; // slots are never emptied one by one, so the key is not further on
            }
            if (hashes[slot] == hash && scopes[slot] == scope && prefixLengths[slot] == pLen && lengths[slot] == pLen + sLen
                    && Arrays.equals(keys[slot], 0, pLen, p, pOff, pOff + pLen)
                    && Arrays.equals(keys[slot], pLen, pLen + sLen, s, sOff, sOff + sLen)) {
                return values[slot];
            }
        }
        return absent;
    }

    /** Stores a key that {@link #get} did not find (one that {@link #fits}). */
    public void put(int hash, Object scope, byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen, int value) {
        int len = pLen + sLen;
        int slot = -1;
        for (int i = 0; i < WINDOW; i++) {
            int at = (hash + i) & mask;
            if (scopes[at] == null) {
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
        hashes[slot] = hash;
        values[slot] = value;
        prefixLengths[slot] = pLen;
        lengths[slot] = len;
        scopes[slot] = scope;
    }

    /** Keys held, at most the number of slots. */
    public int size() {
        return size;
    }

    public void clear() {
        Arrays.fill(scopes, null);
        size = 0;
    }
}
