package io.sluice.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of a series: a metric name and its tags, in a canonical byte form.
 *
 * <p>Parsers fill one mutable key per sample ({@link #reset()}, {@link #metric(byte[], int, int)},
 * {@link #tag}) and hand it to a {@link SampleSink}; the sink looks it up in a cache keyed by
 * {@link #frozen()} copies. A mutable key and a frozen one with the same canonical bytes are
 * {@code equals} and have the same hash, so a hit allocates nothing.
 *
 * <p>Canonical form: the metric, then the tags sorted by key bytes, each as a varint length and
 * its UTF-8 bytes. Lengths make it unambiguous whatever bytes a name contains. Keys are ordered
 * by their canonical bytes (unsigned, lexicographic): a total order consistent with
 * {@code equals}, which writers registering new series use so they never wait on each other in
 * a cycle (README, "How it works").
 *
 * <p>A parser may also name the series <em>as written</em> ({@link #deferred}): two ranges of its
 * input whose bytes determine the key exactly, so that a sink can map a series it has seen before
 * to its id by those bytes alone, without the key being built, sorted and hashed. Such a key is
 * filled from the parser on first use, so a sink that never looks at it pays nothing for it.
 */
public final class SeriesKey implements Comparable<SeriesKey> {
    /** Fills a {@link #deferred} key with its metric and tags when it is first read. */
    public interface Filler {
        /** Sets the key's metric and tags (from {@link #reset()} on), as they were when it was deferred. */
        void fill(SeriesKey key);
    }

    /** Name lengths past these are rejected by parsers; they also bound the key buffers. */
    public static final int MAX_NAME_BYTES = 256;
    public static final int MAX_TAG_VALUE_BYTES = 1024;
    public static final int MAX_TAGS = 64;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final boolean frozen;
    private byte[] bytes;
    private int length;
    private int hash;
    private boolean hashed;

    // Working state of a mutable key: the metric and each tag as ranges in scratch.
    private byte[] scratch = new byte[512];
    private int scratchLen;
    private int metricOff, metricLen;
    private final int[] tagKeyOff = new int[MAX_TAGS], tagKeyLen = new int[MAX_TAGS];
    private final int[] tagValOff = new int[MAX_TAGS], tagValLen = new int[MAX_TAGS];
    private final int[] order = new int[MAX_TAGS];
    private int tagCount;
    private boolean built;
    /** Result of {@link #readLength}, a field so that {@link #copyOf} creates no garbage. */
    private int chunkLength;

    // A deferred key: who fills it, and the series as written, two ranges of the filler's input.
    private Filler filler;
    private Filler writtenBy;
    private byte[] written;
    private int prefixOff, prefixLen, suffixOff, suffixLen;
    private int prefixHash;
    private boolean prefixHashed;

    public SeriesKey() {
        this.frozen = false;
        this.bytes = new byte[512];
    }

    private SeriesKey(byte[] canonical, int hash) {
        this.frozen = true;
        this.bytes = canonical;
        this.length = canonical.length;
        this.hash = hash;
        this.hashed = true;
        this.scratch = null;
    }

    /** Builds a frozen key from strings; for tests, the JSON paths and the storage layer. */
    public static SeriesKey of(String metric, Map<String, String> tags) {
        SeriesKey k = new SeriesKey();
        k.metric(metric);
        for (Map.Entry<String, String> e : tags.entrySet()) {
            k.tag(e.getKey(), e.getValue());
        }
        return k.frozen();
    }

    public SeriesKey reset() {
        checkMutable();
        filler = null;
        writtenBy = null;
        scratchLen = 0;
        metricLen = 0;
        tagCount = 0;
        built = false;
        hashed = false;
        return this;
    }

    /**
     * Makes this key the series written as {@code src[prefixOff, +prefixLen)} followed by
     * {@code src[suffixOff, +suffixLen)}, in {@code filler}'s format: equal bytes in the same
     * format must mean the same metric and tags. The key is empty until first read, then
     * {@code filler} fills it. The ranges are valid only until the key changes (as the key is,
     * during a {@link SampleSink#sample} call); any change of the key after it is filled forgets
     * them.
     *
     * @param samePrefix the prefix is the very range of the previous call, unchanged (the next
     *                   field of one line), so its hash, if taken, is kept
     */
    public SeriesKey deferred(Filler filler, byte[] src, int prefixOff, int prefixLen, int suffixOff, int suffixLen,
                              boolean samePrefix) {
        checkMutable();
        reset();
        this.filler = filler;
        this.writtenBy = filler;
        // Taken on first use (a sink that never asks pays nothing), once per line.
        prefixHashed &= samePrefix && src == written && prefixOff == this.prefixOff && prefixLen == this.prefixLen;
        this.written = src;
        this.prefixOff = prefixOff;
        this.prefixLen = prefixLen;
        this.suffixOff = suffixOff;
        this.suffixLen = suffixLen;
        return this;
    }

    /** The filler of a key named as written ({@link #deferred}), or null; equal bytes mean equal keys only for the same class of filler. */
    public Filler writtenBy() {
        return writtenBy;
    }

    /** The input holding the series as written; valid only while {@link #writtenBy()} is not null. */
    public byte[] written() {
        return written;
    }

    public int writtenPrefixOffset() {
        return prefixOff;
    }

    public int writtenPrefixLength() {
        return prefixLen;
    }

    public int writtenSuffixOffset() {
        return suffixOff;
    }

    public int writtenSuffixLength() {
        return suffixLen;
    }

    /** A hash of the series as written (prefix, then suffix). */
    public int writtenHash() {
        if (!prefixHashed) {
            prefixHash = hash(written, prefixOff, prefixLen);
            prefixHashed = true;
        }
        return mixWritten(prefixHash, written, suffixOff, suffixLen);
    }

    /** The hash {@link #writtenHash()} gives for these bytes, for a cache that stores them. */
    public static int writtenHash(byte[] prefix, int prefixOff, int prefixLen, byte[] suffix, int suffixOff, int suffixLen) {
        return mixWritten(hash(prefix, prefixOff, prefixLen), suffix, suffixOff, suffixLen);
    }

    private static int mixWritten(int prefixHash, byte[] suffix, int off, int len) {
        return prefixHash * 0x9E3779B1 + hash(suffix, off, len);
    }

    /** Fills a deferred key before anything reads or changes it. */
    private void fill() {
        if (filler != null) {
            Filler f = filler;
            filler = null;
            f.fill(this);
            writtenBy = f; // filling is not a change: the bytes as written still name this key
        }
    }

    public SeriesKey metric(byte[] src, int off, int len) {
        checkMutable();
        fill();
        metricOff = append(src, off, len);
        metricLen = len;
        changed();
        return this;
    }

    /** Appends bytes to the metric name (used for {@code measurement_field}). */
    public SeriesKey appendMetric(byte[] src, int off, int len) {
        checkMutable();
        fill();
        // The metric is always the first thing written to scratch after reset, or was just
        // written, so appending keeps it contiguous only if nothing followed it.
        if (metricOff + metricLen != scratchLen) {
            throw new IllegalStateException("appendMetric must follow metric() directly");
        }
        append(src, off, len);
        metricLen += len;
        changed();
        return this;
    }

    /**
     * Makes this key a copy of {@code source} with {@code suffix} appended to its metric name
     * (aggregates: {@code load_time} gives {@code load_time_mean}). Reads the source's canonical
     * bytes, so it creates no garbage.
     */
    public SeriesKey copyOf(SeriesKey source, byte[] suffix) {
        checkMutable();
        if (source == this) {
            throw new IllegalArgumentException("a key cannot be copied into itself");
        }
        byte[] src = source.canonicalBytes();
        int end = source.canonicalLength();
        reset();
        int p = readLength(src, 0);
        int len = chunkLength;
        metric(src, p, len).appendMetric(suffix, 0, suffix.length);
        p += len;
        while (p < end) {
            int k = readLength(src, p);
            int kLen = chunkLength;
            int v = readLength(src, k + kLen);
            tag(src, k, kLen, src, v, chunkLength);
            p = v + chunkLength;
        }
        return this;
    }

    /** Reads a varint length at {@code p} into {@link #chunkLength}; returns where the chunk starts. */
    private int readLength(byte[] b, int p) {
        int len = 0;
        int shift = 0;
        byte x;
        do {
            x = b[p++];
            len |= (x & 0x7F) << shift;
            shift += 7;
        } while ((x & 0x80) != 0);
        chunkLength = len;
        return p;
    }

    public SeriesKey metric(String metric) {
        byte[] b = metric.getBytes(StandardCharsets.UTF_8);
        return metric(b, 0, b.length);
    }

    /**
     * Adds a tag. A key given twice keeps the last value (the parsers reject such input before it
     * gets here: InfluxDB answers "duplicate tags").
     *
     * @return false when the key already holds {@link #MAX_TAGS} tags
     */
    public boolean tag(byte[] src, int keyOff, int keyLen, byte[] vsrc, int valOff, int valLen) {
        checkMutable();
        fill();
        for (int i = 0; i < tagCount; i++) {
            if (Arrays.equals(scratch, tagKeyOff[i], tagKeyOff[i] + tagKeyLen[i], src, keyOff, keyOff + keyLen)) {
                tagValOff[i] = append(vsrc, valOff, valLen);
                tagValLen[i] = valLen;
                changed();
                return true;
            }
        }
        if (tagCount == MAX_TAGS) {
            return false;
        }
        tagKeyOff[tagCount] = append(src, keyOff, keyLen);
        tagKeyLen[tagCount] = keyLen;
        tagValOff[tagCount] = append(vsrc, valOff, valLen);
        tagValLen[tagCount] = valLen;
        tagCount++;
        changed();
        return true;
    }

    public boolean tag(String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return tag(k, 0, k.length, v, 0, v.length);
    }

    /** Whether this key is an immutable copy ({@link #frozen()}, {@link #of}); a mutable one is a parser's. */
    public boolean isFrozen() {
        return frozen;
    }

    /** Resets {@code target} to this key's metric and tags, so it can be changed without changing this one. */
    public SeriesKey copyTo(SeriesKey target) {
        Decoded d = decode();
        target.reset().metric(d.metric());
        for (Map.Entry<String, String> e : d.tags().entrySet()) {
            target.tag(e.getKey(), e.getValue());
        }
        return target;
    }

    public int tagCount() {
        if (frozen) {
            return decode().tags().size();
        }
        fill();
        return tagCount;
    }

    public int metricLength() {
        if (frozen) {
            return metricString().getBytes(StandardCharsets.UTF_8).length;
        }
        fill();
        return metricLen;
    }

    /** An immutable copy (or this, if already frozen) fit to be a map key. */
    public SeriesKey frozen() {
        if (frozen) {
            return this;
        }
        build();
        return new SeriesKey(Arrays.copyOf(bytes, length), hashCode());
    }

    /** The metric name as a String (allocates; for cache misses and tests). */
    public String metricString() {
        return decode().metric();
    }

    /** The tags sorted by key (allocates; for cache misses and tests). */
    public Map<String, String> tags() {
        return decode().tags();
    }

    /** The canonical bytes; valid until the next change of a mutable key. */
    public byte[] canonicalBytes() {
        build();
        return bytes;
    }

    public int canonicalLength() {
        build();
        return length;
    }

    @Override
    public int hashCode() {
        if (!hashed) {
            build();
            hash = hash(bytes, 0, length);
            hashed = true;
        }
        return hash;
    }

    /**
     * Eight bytes a step (a byte-at-a-time {@code 31 * h + b} was 7 % of the ingest profile);
     * a multiply per word and a final mix, enough for the map's spreading.
     */
    private static int hash(byte[] b, int off, int len) {
        long h = len * 0x9E3779B97F4A7C15L;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = (h ^ (long) LONGS.get(b, i)) * 0xBF58476D1CE4E5B9L;
        }
        long tail = 0;
        int rest = end - i;
        if (rest > 0 && len >= 8) {
            // The last word, read again from its end: its top bytes are the rest, in the same places.
            tail = (long) LONGS.get(b, end - 8) >>> (8 * (8 - rest));
        } else if (rest >= 4) {
            tail = ((int) INTS.get(b, i) & 0xFFFF_FFFFL) | ((((int) INTS.get(b, end - 4) & 0xFFFF_FFFFL) >>> (8 * (8 - rest))) << 32);
        } else {
            for (int shift = 0; i < end; i++, shift += 8) {
                tail |= (b[i] & 0xFFL) << shift;
            }
        }
        h = (h ^ tail) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SeriesKey other)) {
            return false;
        }
        build();
        other.build();
        return hashCode() == other.hashCode()
                && Arrays.equals(bytes, 0, length, other.bytes, 0, other.length);
    }

    /** Orders by canonical bytes, unsigned and lexicographic; 0 exactly when {@code equals}. */
    @Override
    public int compareTo(SeriesKey other) {
        build();
        other.build();
        return Arrays.compareUnsigned(bytes, 0, length, other.bytes, 0, other.length);
    }

    @Override
    public String toString() {
        Decoded d = decode();
        return d.metric() + d.tags();
    }

    private void build() {
        if (frozen || built) {
            return;
        }
        fill();
        sortTags();
        int need = 5 + metricLen + tagCount * 10 + scratchLen;
        if (bytes.length < need) {
            bytes = new byte[Math.max(need, bytes.length * 2)];
        }
        int p = putChunk(0, metricOff, metricLen);
        for (int i = 0; i < tagCount; i++) {
            int t = order[i];
            p = putChunk(p, tagKeyOff[t], tagKeyLen[t]);
            p = putChunk(p, tagValOff[t], tagValLen[t]);
        }
        length = p;
        built = true;
        hashed = false;
    }

    private int putChunk(int p, int off, int len) {
        int v = len;
        while ((v & ~0x7F) != 0) {
            bytes[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        bytes[p++] = (byte) v;
        System.arraycopy(scratch, off, bytes, p, len);
        return p + len;
    }

    private void sortTags() {
        // Insertion sort: tag sets are small and usually arrive sorted (InfluxDB clients sort).
        for (int i = 0; i < tagCount; i++) {
            order[i] = i;
        }
        for (int i = 1; i < tagCount; i++) {
            int cur = order[i];
            int j = i - 1;
            while (j >= 0 && compareKeys(order[j], cur) > 0) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = cur;
        }
    }

    private int compareKeys(int a, int b) {
        return Arrays.compareUnsigned(scratch, tagKeyOff[a], tagKeyOff[a] + tagKeyLen[a],
                scratch, tagKeyOff[b], tagKeyOff[b] + tagKeyLen[b]);
    }

    private int append(byte[] src, int off, int len) {
        if (scratchLen + len > scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, scratchLen + len));
        }
        System.arraycopy(src, off, scratch, scratchLen, len);
        int at = scratchLen;
        scratchLen += len;
        return at;
    }

    /** Any change invalidates both the canonical bytes and the hash cached from them. */
    private void changed() {
        built = false;
        hashed = false;
        writtenBy = null;
    }

    private void checkMutable() {
        if (frozen) {
            throw new IllegalStateException("frozen SeriesKey cannot change");
        }
    }

    private record Decoded(String metric, Map<String, String> tags) {
    }

    private Decoded decode() {
        build();
        int[] pos = {0};
        String metric = readChunk(pos);
        Map<String, String> tags = new TreeMap<>();
        while (pos[0] < length) {
            String k = readChunk(pos);
            String v = readChunk(pos);
            tags.put(k, v);
        }
        return new Decoded(metric, tags);
    }

    private String readChunk(int[] pos) {
        int p = pos[0];
        int len = 0;
        int shift = 0;
        byte b;
        do {
            b = bytes[p++];
            len |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        String s = new String(bytes, p, len, StandardCharsets.UTF_8);
        pos[0] = p + len;
        return s;
    }
}
