package io.sluice.storage.db;

import io.sluice.codec.BytesMap;
import io.sluice.codec.SeriesKey;

/**
 * Series ids by the bytes a parser read them from ({@link SeriesKey#deferred}): a line's
 * measurement and tags as written plus its field key. A series seen before is found by comparing
 * those bytes, so its key is never built, sorted, hashed or compared in the registry's map — that
 * lookup was ~14 % of Sluice's CPU per point (docs/BENCHMARKS.md, "Where Sluice's own 0.59 µs
 * goes").
 *
 * <p>Exact: an entry matches only the same bytes, from the same kind of parser, under the same
 * scope (the tenant stamp whose tags replace the client's), and ids never change once given
 * ({@link SeriesRegistry} never forgets one). Bounded: {@value #SLOTS} series of at most
 * {@value #MAX_WRITTEN_BYTES} bytes ({@link BytesMap}); a longer series is looked up the slow way
 * every time.
 *
 * <p>When most lookups miss (more series in turn than it holds), it is looked past for a while:
 * missing and replacing entries cost more than the lookup it saves (docs/BENCHMARKS.md, round 5:
 * 20,000 series took up to 2.5 times main's time a point before this).
 *
 * <p>Not thread-safe: one per event loop and parser, as the parser and the sink are.
 */
public final class WrittenSeriesCache {
    static final int SLOTS = 4096;
    static final int MAX_WRITTEN_BYTES = 256;
    /** Lookups judged together; under half of them hits, and the next {@link #BYPASS} go past. */
    static final int PERIOD = 4096;
    static final int BYPASS = 1 << 18;

    private final BytesMap ids = new BytesMap(SLOTS, MAX_WRITTEN_BYTES);
    private final int period;
    private final int bypassFor;
    private Class<?> format;
    private int lookups;
    private int hits;
    private int bypass;

    // The last miss, as found (before the caller stamps tags on the key), until its id is known.
    private byte[] missed;
    private int missedPrefixOff, missedPrefixLen, missedSuffixOff, missedSuffixLen, missedHash;
    private Object missedScope;

    public WrittenSeriesCache() {
        this(PERIOD, BYPASS);
    }

    WrittenSeriesCache(int period, int bypassFor) {
        this.period = period;
        this.bypassFor = bypassFor;
    }

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
        if (bypass > 0) {
            bypass--;
            return SeriesRegistry.UNKNOWN;
        }
        int prefixLen = key.writtenPrefixLength();
        int suffixLen = key.writtenSuffixLength();
        if (!ids.fits(prefixLen, suffixLen)) {
            return SeriesRegistry.UNKNOWN;
        }
        if (by.getClass() != format) { // bytes mean something else to another parser
            ids.clear();
            format = by.getClass();
        }
        int h = key.writtenHash();
        byte[] src = key.written();
        int prefixOff = key.writtenPrefixOffset();
        int suffixOff = key.writtenSuffixOffset();
        int id = ids.get(h, scope, src, prefixOff, prefixLen, src, suffixOff, suffixLen, SeriesRegistry.UNKNOWN);
        if (id != SeriesRegistry.UNKNOWN) {
            hits++;
        }
        if (++lookups == period) {
            if (hits * 2 < lookups) {
                bypass = bypassFor;
            }
            lookups = 0;
            hits = 0;
        }
        if (id == SeriesRegistry.UNKNOWN) {
            missed = src;
            missedPrefixOff = prefixOff;
            missedPrefixLen = prefixLen;
            missedSuffixOff = suffixOff;
            missedSuffixLen = suffixLen;
            missedHash = h;
            missedScope = scope;
        }
        return id;
    }

    /** Stores {@code id} for the series of the last {@link #find}, if it missed one named as written. */
    public void remember(int id) {
        byte[] src = missed;
        if (src == null) {
            return;
        }
        missed = null;
        ids.put(missedHash, missedScope, src, missedPrefixOff, missedPrefixLen, src, missedSuffixOff, missedSuffixLen, id);
        missedScope = null;
    }

    /** Whether lookups go past it now (most of them missed). */
    boolean bypassed() {
        return bypass > 0;
    }

    /** Series held (at most {@value #SLOTS}). */
    public int size() {
        return ids.size();
    }
}
