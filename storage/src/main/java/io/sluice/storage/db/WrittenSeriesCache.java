package io.sluice.storage.db;

import io.sluice.codec.SeriesKey;

import java.util.Arrays;

/**
 * Series ids by the bytes a parser read them from ({@link SeriesKey#deferred}): a line's
 * measurement and tags as written plus its field key. A series seen before is found by comparing
 * those bytes, so its key is never built, sorted, hashed or compared in the registry's map — that
 * lookup was ~14 % of Sluice's CPU per point (docs/BENCHMARKS.md, "Where Sluice's own 0.59 µs
 * goes").
 *
 * <p>Exact: an entry matches only the same bytes, from the same kind of parser, under the same
 * scope (the tenant stamp whose tags replace the client's), and ids never change once given
 * ({@link SeriesRegistry} never forgets one). Bounded: {@value #SLOTS} entries of at most
 * {@value #MAX_WRITTEN_BYTES} bytes; a longer series is looked up the slow way every time; when
 * the slots a series may use are taken, it replaces one of them. Its byte arrays are reused when
 * they are big enough, so a steady stream over more series than it holds allocates only while
 * the arrays grow to their largest.
 *
 * <p>Not thread-safe: one per event loop and parser, as the parser and the sink are.
 */
public final class WrittenSeriesCache {
    static final int SLOTS = 4096;
    /** Slots probed from a series' hash on: it lives in one of them or not at all. */
    static final int WINDOW = 8;
    static final int MAX_WRITTEN_BYTES = 256;

    private final int[] hashes = new int[SLOTS];
    private final int[] ids = new int[SLOTS];
    /** Null for an empty slot. */
    private final Object[] scopes = new Object[SLOTS];
    private final byte[][] written = new byte[SLOTS][];
    private final int[] prefixLengths = new int[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private Class<?> format;
    private int size;
    private int replaced;

    // The last miss, as found (before the caller stamps tags on the key), until its id is known.
    private byte[] missed;
    private int missedPrefixOff, missedPrefixLen, missedSuffixOff, missedSuffixLen, missedHash;
    private Object missedScope;

    /**
     * The id of {@code key} under {@code scope}, or {@link SeriesRegistry#UNKNOWN} when the key is
     * not named as written, too long, or not cached yet; then {@link #remember} stores its id,
     * during the same {@link io.sluice.codec.SampleSink#sample} call (the bytes are the parser's).
     */
    public int find(SeriesKey key, Object scope) {
        missed = null;
        SeriesKey.Filler by = key.writtenBy();
        if (by == null) {
            return SeriesRegistry.UNKNOWN;
        }
        int prefixLen = key.writtenPrefixLength();
        int suffixLen = key.writtenSuffixLength();
        if (prefixLen + suffixLen > MAX_WRITTEN_BYTES) {
            return SeriesRegistry.UNKNOWN;
        }
        if (by.getClass() != format) { // bytes mean something else to another parser
            clear();
            format = by.getClass();
        }
        int h = key.writtenHash();
        byte[] src = key.written();
        int prefixOff = key.writtenPrefixOffset();
        int suffixOff = key.writtenSuffixOffset();
        for (int i = 0; i < WINDOW; i++) {
            int s = (h + i) & (SLOTS - 1);
            if (scopes[s] == null) {
                break; // slots are never emptied one by one, so the series is not further on
            }
            if (hashes[s] == h && scopes[s] == scope && prefixLengths[s] == prefixLen
                    && lengths[s] == prefixLen + suffixLen
                    && Arrays.equals(written[s], 0, prefixLen, src, prefixOff, prefixOff + prefixLen)
                    && Arrays.equals(written[s], prefixLen, prefixLen + suffixLen, src, suffixOff, suffixOff + suffixLen)) {
                return ids[s];
            }
        }
        missed = src;
        missedPrefixOff = prefixOff;
        missedPrefixLen = prefixLen;
        missedSuffixOff = suffixOff;
        missedSuffixLen = suffixLen;
        missedHash = h;
        missedScope = scope;
        return SeriesRegistry.UNKNOWN;
    }

    /** Stores {@code id} for the series of the last {@link #find}, if it missed one named as written. */
    public void remember(int id) {
        byte[] src = missed;
        if (src == null) {
            return;
        }
        missed = null;
        int prefixLen = missedPrefixLen;
        int len = prefixLen + missedSuffixLen;
        int h = missedHash;
        int slot = -1;
        for (int i = 0; i < WINDOW; i++) {
            int s = (h + i) & (SLOTS - 1);
            if (scopes[s] == null) {
                slot = s;
                size++;
                break;
            }
        }
        if (slot < 0) { // every slot of its window is taken: replace one in turn
            slot = (h + (replaced++ & (WINDOW - 1))) & (SLOTS - 1);
        }
        byte[] b = written[slot];
        if (b == null || b.length < len) {
            b = new byte[Math.max(32, Integer.highestOneBit(len - 1) << 1)];
            written[slot] = b;
        }
        System.arraycopy(src, missedPrefixOff, b, 0, prefixLen);
        System.arraycopy(src, missedSuffixOff, b, prefixLen, missedSuffixLen);
        hashes[slot] = h;
        ids[slot] = id;
        prefixLengths[slot] = prefixLen;
        lengths[slot] = len;
        scopes[slot] = missedScope;
        missedScope = null;
    }

    /** Series held (at most {@value #SLOTS}). */
    public int size() {
        return size;
    }

    private void clear() {
        Arrays.fill(scopes, null);
        size = 0;
    }
}
