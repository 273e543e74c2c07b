package io.sluice.codec.json;

import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.util.Arrays;

/**
 * The outcome of one document, element by element, held until the document has been read to its
 * end: a document that turns out not to be JSON then gives one error and no samples, as a bad
 * line does in line protocol. Names are kept as UTF-8 in one growing byte array and tags as
 * ranges of it, so a reused batch creates no garbage once it has grown to the traffic's size.
 */
final class Batch {
    /** Past these sizes the buffers are not kept between documents (one parser per event loop). */
    private static final int RETAIN_BYTES = 1 << 20;
    private static final int RETAIN_ELEMENTS = 1 << 16;

    private byte[] bytes = new byte[4096];
    private int bytesLen;

    private int[] tagKeyOff = new int[64], tagKeyLen = new int[64], tagValOff = new int[64], tagValLen = new int[64];
    private int tagLen;

    private int count;
    private int[] element = new int[16];
    private int[] metricOff = new int[16], metricLen = new int[16], tagFrom = new int[16], tagTo = new int[16];
    private long[] time = new long[16], step = new long[16];
    private double[] value = new double[16];
    /** Non-null where the element was refused. */
    private ParseError[] errors = new ParseError[16];

    /** Empties the batch; one that a huge document made huge goes back to its first size. */
    void clear() {
        bytesLen = 0;
        tagLen = 0;
        Arrays.fill(errors, 0, count, null);
        count = 0;
        if (bytes.length > RETAIN_BYTES) {
            bytes = new byte[4096];
        }
        if (element.length > RETAIN_ELEMENTS) {
            element = new int[16];
            metricOff = new int[16];
            metricLen = new int[16];
            tagFrom = new int[16];
            tagTo = new int[16];
            time = new long[16];
            step = new long[16];
            value = new double[16];
            errors = new ParseError[16];
        }
        if (tagKeyOff.length > RETAIN_ELEMENTS) {
            tagKeyOff = new int[64];
            tagKeyLen = new int[64];
            tagValOff = new int[64];
            tagValLen = new int[64];
        }
    }

    int bytesMark() {
        return bytesLen;
    }

    int tagMark() {
        return tagLen;
    }

    /** Drops what a refused element had added since the marks. */
    void rollback(int bytesMark, int tagMark) {
        bytesLen = bytesMark;
        tagLen = tagMark;
    }

    byte[] bytes() {
        return bytes;
    }

    /** Appends chars as UTF-8 (a lone surrogate becomes '?', as String.getBytes does); returns the offset. */
    int appendUtf8(char[] c, int off, int len) {
        ensureBytes(len * 3);
        int at = bytesLen;
        int p = bytesLen;
        byte[] b = bytes;
        int end = off + len;
        for (int i = off; i < end; i++) {
            char ch = c[i];
            if (ch < 0x80) {
                b[p++] = (byte) ch;
            } else if (ch < 0x800) {
                b[p++] = (byte) (0xC0 | ch >> 6);
                b[p++] = (byte) (0x80 | ch & 0x3F);
            } else if (Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(c[i + 1])) {
                int cp = Character.toCodePoint(ch, c[++i]);
                b[p++] = (byte) (0xF0 | cp >> 18);
                b[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(ch)) {
                b[p++] = '?';
            } else {
                b[p++] = (byte) (0xE0 | ch >> 12);
                b[p++] = (byte) (0x80 | ch >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | ch & 0x3F);
            }
        }
        bytesLen = p;
        return at;
    }

    /** Appends a String (a canonical field name from Jackson) as UTF-8; returns the offset. */
    int appendUtf8(String s) {
        int n = s.length();
        ensureBytes(n * 3);
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (!ascii) {
            char[] c = s.toCharArray(); // rare: non-ASCII tag keys
            return appendUtf8(c, 0, c.length);
        }
        int at = bytesLen;
        for (int i = 0; i < n; i++) {
            bytes[bytesLen++] = (byte) s.charAt(i);
        }
        return at;
    }

    /** Appends ASCII bytes; returns the offset. */
    int append(byte[] src) {
        ensureBytes(src.length);
        System.arraycopy(src, 0, bytes, bytesLen, src.length);
        int at = bytesLen;
        bytesLen += src.length;
        return at;
    }

    /** Appends a long in decimal; returns the offset. */
    int appendDecimal(long v) {
        ensureBytes(20);
        int at = bytesLen;
        if (v < 0) {
            bytes[bytesLen++] = '-';
        }
        int start = bytesLen;
        do {
            bytes[bytesLen++] = (byte) ('0' + Math.abs(v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = bytesLen - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
        return at;
    }

    int bytesSince(int mark) {
        return bytesLen - mark;
    }

    /** @return false when a tag with the same key was added since {@code tagMark} */
    boolean addTag(int tagMark, int kOff, int kLen, int vOff, int vLen) {
        for (int i = tagMark; i < tagLen; i++) {
            if (Arrays.equals(bytes, tagKeyOff[i], tagKeyOff[i] + tagKeyLen[i], bytes, kOff, kOff + kLen)) {
                return false;
            }
        }
        if (tagLen == tagKeyOff.length) {
            int n = tagLen * 2;
            tagKeyOff = Arrays.copyOf(tagKeyOff, n);
            tagKeyLen = Arrays.copyOf(tagKeyLen, n);
            tagValOff = Arrays.copyOf(tagValOff, n);
            tagValLen = Arrays.copyOf(tagValLen, n);
        }
        tagKeyOff[tagLen] = kOff;
        tagKeyLen[tagLen] = kLen;
        tagValOff[tagLen] = vOff;
        tagValLen[tagLen++] = vLen;
        return true;
    }

    void addSample(int elementIndex, int mOff, int mLen, int tagMark, long t, double v, long s) {
        int i = next(elementIndex);
        metricOff[i] = mOff;
        metricLen[i] = mLen;
        tagFrom[i] = tagMark;
        tagTo[i] = tagLen;
        time[i] = t;
        value[i] = v;
        step[i] = s;
    }

    void addError(ParseError e) {
        // Not errors[next(..)]: Java takes the array before evaluating the index, and next() may
        // grow it, so the error would land in the array it just replaced.
        int i = next(e.line());
        errors[i] = e;
    }

    /**
     * Hands everything to the sink in document order.
     *
     * @param at told each element's index before its sample or error, for {@code element()}
     * @return samples emitted
     */
    int emit(SeriesKey key, SampleSink sink, java.util.function.IntConsumer at) {
        int emitted = 0;
        for (int i = 0; i < count; i++) {
            at.accept(element[i]);
            if (errors[i] != null) {
                sink.error(errors[i]);
                continue;
            }
            key.reset().metric(bytes, metricOff[i], metricLen[i]);
            for (int t = tagFrom[i]; t < tagTo[i]; t++) {
                key.tag(bytes, tagKeyOff[t], tagKeyLen[t], bytes, tagValOff[t], tagValLen[t]);
            }
            sink.sample(key, time[i], value[i], step[i]);
            emitted++;
        }
        return emitted;
    }

    private int next(int elementIndex) {
        if (count == element.length) {
            int n = count * 2;
            element = Arrays.copyOf(element, n);
            metricOff = Arrays.copyOf(metricOff, n);
            metricLen = Arrays.copyOf(metricLen, n);
            tagFrom = Arrays.copyOf(tagFrom, n);
            tagTo = Arrays.copyOf(tagTo, n);
            time = Arrays.copyOf(time, n);
            value = Arrays.copyOf(value, n);
            step = Arrays.copyOf(step, n);
            errors = Arrays.copyOf(errors, n);
        }
        element[count] = elementIndex;
        return count++;
    }

    private void ensureBytes(int more) {
        if (bytesLen + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, bytesLen + more));
        }
    }
}
