package io.sluice.codec.otlp;

import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.influx.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns OTLP data points into samples (mapping in {@code package-info.java}), whichever encoding
 * they came in: the protobuf and JSON readers call it in document order, resource, then scope,
 * then metric, then each point with its attributes, then the point's values.
 *
 * <p>Attributes of the three levels are copied into one byte store and truncated back as the
 * reader moves to the next scope or point, so a key is rebuilt per sample without allocating.
 * A point attribute overrides a scope one of the same name, which overrides a resource one.
 */
final class PointEmitter {
    private static final byte[] BUCKET = ascii("_bucket");
    private static final byte[] SUM = ascii("_sum");
    private static final byte[] COUNT = ascii("_count");
    private static final byte[] MIN = ascii("_min");
    private static final byte[] MAX = ascii("_max");
    private static final byte[] NONE = new byte[0];
    private static final byte[] LE = ascii("le");
    private static final byte[] QUANTILE = ascii("quantile");
    private static final byte[] TEMPORALITY = ascii("temporality");
    private static final byte[] DELTA = ascii("delta");
    /** The longest suffix added to a metric name ({@code _bucket}). */
    private static final int MAX_SUFFIX = BUCKET.length;

    private enum Level { RESOURCE, SCOPE, POINT }

    private final OtlpStats stats;
    private final SeriesKey key = new SeriesKey();
    private final PlainDecimal plain = new PlainDecimal();
    private AttributeFilter resourceFilter = AttributeFilter.ALL;
    private SampleSink sink;

    // Attributes of the resource, scope and point, in that order, as ranges of the store.
    private byte[] store = new byte[4096];
    private int used;
    private int count;
    private int[] keyOff = new int[32], keyLen = new int[32], valOff = new int[32], valLen = new int[32];
    private Level level = Level.RESOURCE;
    private int resourceCount, resourceUsed, scopeCount, scopeUsed;
    private String resourceProblem, scopeProblem, pointProblem, metricProblem;

    private final byte[] name = new byte[SeriesKey.MAX_NAME_BYTES];
    private int nameLen;
    private boolean delta;
    private int line;
    private final byte[] number = new byte[PlainDecimal.MAX_LENGTH];

    PointEmitter(OtlpStats stats) {
        this.stats = stats;
    }

    void filter(AttributeFilter filter) {
        this.resourceFilter = filter;
    }

    void begin(SampleSink sink) {
        this.sink = sink;
        line = 0;
    }

    /** The 1-based index of the current data point in the request. */
    int line() {
        return line;
    }

    void startResource() {
        level = Level.RESOURCE;
        used = 0;
        count = 0;
        resourceProblem = null;
    }

    void startScope() {
        if (level == Level.RESOURCE) {
            resourceCount = count;
            resourceUsed = used;
        }
        level = Level.SCOPE;
        count = resourceCount;
        used = resourceUsed;
        scopeProblem = null;
    }

    /**
     * A metric: its name (UTF-8, kept as sent) and, for sums and histograms, whether its
     * temporality is delta (tagged {@code temporality=delta}; cumulative is the default, untagged).
     */
    void metric(byte[] b, int off, int len, boolean isDelta) {
        stats.metrics++;
        delta = isDelta;
        metricProblem = null;
        nameLen = 0;
        if (len == 0) {
            metricProblem = "metric without a name";
        } else if (len > SeriesKey.MAX_NAME_BYTES - MAX_SUFFIX) {
            metricProblem = "metric name longer than " + (SeriesKey.MAX_NAME_BYTES - MAX_SUFFIX) + " bytes";
        } else if (!Numbers.isUtf8(b, off, off + len)) {
            metricProblem = "metric name is not UTF-8";
        } else {
            System.arraycopy(b, off, name, 0, len);
            nameLen = len;
        }
    }

    void startPoint() {
        if (level == Level.SCOPE) {
            scopeCount = count;
            scopeUsed = used;
        } else if (level == Level.RESOURCE) {
            startScope();
            scopeCount = count;
            scopeUsed = used;
        }
        level = Level.POINT;
        count = scopeCount;
        used = scopeUsed;
        pointProblem = null;
        line++;
        stats.points++;
    }

    /** An attribute whose value is already text (a string value). */
    void attribute(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
        if (!admit(k, kOff, kLen)) {
            return;
        }
        if (!Numbers.isUtf8(v, vOff, vOff + vLen)) {
            problem("attribute " + text(k, kOff, kLen) + " is not UTF-8");
            return;
        }
        if (vLen > SeriesKey.MAX_TAG_VALUE_BYTES) {
            problem("attribute " + text(k, kOff, kLen) + " is longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes");
            return;
        }
        add(k, kOff, kLen, v, vOff, vLen);
    }

    void attribute(byte[] k, int kOff, int kLen, long v) {
        if (admit(k, kOff, kLen)) {
            int n = decimal(v, number);
            add(k, kOff, kLen, number, 0, n);
        }
    }

    void attribute(byte[] k, int kOff, int kLen, double v) {
        if (admit(k, kOff, kLen)) {
            add(k, kOff, kLen, number, 0, plain.write(v, number, 0));
        }
    }

    void attribute(byte[] k, int kOff, int kLen, boolean v) {
        if (admit(k, kOff, kLen)) {
            byte[] t = v ? TRUE : FALSE;
            add(k, kOff, kLen, t, 0, t.length);
        }
    }

    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");

    /** The current point cannot be read (a JSON value of the wrong type): reported and counted. */
    void refusePoint(String why) {
        pointProblem = why;
        refused(1);
    }

    /** A point with {@code FLAG_NO_RECORDED_VALUE}: counted, nothing stored. */
    void noRecordedValue() {
        stats.noRecordedValue++;
    }

    /** Gauge and sum points: one sample. */
    void number(long timeNanos, double value) {
        if (refused(timeNanos)) {
            return;
        }
        sample(NONE, null, 0, 0, time(timeNanos), value);
    }

    /**
     * An explicit-bucket histogram point: {@code _bucket{le}} with cumulative counts (the point's
     * counts are per bucket), {@code le="+Inf"} being the total count; then {@code _sum},
     * {@code _count}, {@code _min}, {@code _max} where present.
     */
    void histogram(long timeNanos, long count, double sum, boolean hasSum, long[] buckets, int nBuckets,
                   double[] bounds, int nBounds, double min, boolean hasMin, double max, boolean hasMax) {
        if (nBuckets != 0 && nBuckets != nBounds + 1) {
            pointProblem = "histogram has " + nBuckets + " bucket counts for " + nBounds
                    + " explicit bounds (it needs one more count than bounds)";
        }
        if (refused(timeNanos)) {
            return;
        }
        long t = time(timeNanos);
        long cumulative = 0;
        for (int i = 0; i < nBuckets; i++) {
            cumulative += buckets[i];
            bucket(t, i < nBounds ? bounds[i] : Double.POSITIVE_INFINITY, cumulative);
        }
        if (nBuckets == 0) {
            bucket(t, Double.POSITIVE_INFINITY, count);
        }
        totals(t, count, sum, hasSum, min, hasMin, max, hasMax);
    }

    /**
     * An exponential histogram point as cumulative {@code _bucket{le}} samples: negative buckets
     * from the most negative (upper bound {@code -base^index}), the zero bucket ({@code le} the
     * zero threshold), positive buckets (upper bound {@code base^(index+1)}), and {@code +Inf}
     * with the total count, where {@code base = 2^(2^-scale)} (OTLP metrics data model,
     * "Exponential Buckets"); then {@code _sum}, {@code _count}, {@code _min}, {@code _max}.
     */
    void exponential(long timeNanos, long count, double sum, boolean hasSum, int scale, long zeroCount,
                     double zeroThreshold, int posOffset, long[] pos, int nPos, int negOffset, long[] neg, int nNeg,
                     double min, boolean hasMin, double max, boolean hasMax) {
        if (scale < -10 || scale > 20) {
            pointProblem = "exponential histogram scale " + scale + " is outside [-10, 20]";
        }
        if (refused(timeNanos)) {
            return;
        }
        long t = time(timeNanos);
        long cumulative = 0;
        for (int i = nNeg - 1; i >= 0; i--) {
            cumulative += neg[i];
            bucket(t, -bound(scale, negOffset + i), cumulative);
        }
        cumulative += zeroCount;
        bucket(t, zeroThreshold, cumulative);
        for (int i = 0; i < nPos; i++) {
            cumulative += pos[i];
            bucket(t, bound(scale, posOffset + i + 1), cumulative);
        }
        bucket(t, Double.POSITIVE_INFINITY, count);
        totals(t, count, sum, hasSum, min, hasMin, max, hasMax);
    }

    /** A summary point: {@code name{quantile}} per quantile, then {@code _sum} and {@code _count}. */
    void summary(long timeNanos, long count, double sum, double[] quantiles, double[] values, int n) {
        if (refused(timeNanos)) {
            return;
        }
        long t = time(timeNanos);
        for (int i = 0; i < n; i++) {
            int len = plain.write(quantiles[i], number, 0);
            sample(NONE, QUANTILE, 0, len, t, values[i]);
        }
        sample(SUM, null, 0, 0, t, sum);
        sample(COUNT, null, 0, 0, t, count);
    }

    /** base^index with base = 2^(2^-scale), i.e. 2^(index * 2^-scale). */
    private static double bound(int scale, long index) {
        return Math.pow(2, Math.scalb((double) index, -scale));
    }

    private void bucket(long t, double le, long cumulative) {
        int len = plain.write(le, number, 0);
        sample(BUCKET, LE, 0, len, t, cumulative);
    }

    private void totals(long t, long count, double sum, boolean hasSum, double min, boolean hasMin, double max,
                        boolean hasMax) {
        if (hasSum) {
            sample(SUM, null, 0, 0, t, sum);
        }
        sample(COUNT, null, 0, 0, t, count);
        if (hasMin) {
            sample(MIN, null, 0, 0, t, min);
        }
        if (hasMax) {
            sample(MAX, null, 0, 0, t, max);
        }
    }

    /** Whether the point cannot be stored at all; if so it is reported once and counted. */
    private boolean refused(long timeNanos) {
        String why = metricProblem != null ? metricProblem
                : resourceProblem != null ? resourceProblem
                : scopeProblem != null ? scopeProblem
                : pointProblem != null ? pointProblem
                : timeNanos < 0 ? "time_unix_nano " + Long.toUnsignedString(timeNanos) + " is out of range" : null;
        if (why == null) {
            return false;
        }
        stats.rejectedPoints++;
        sink.error(new ParseError(line, 1, why, nameLen == 0 ? "" : text(name, 0, nameLen)));
        return true;
    }

    /** Nanoseconds to microseconds (rounded down); 0, "not set", is the arrival time. */
    private static long time(long nanos) {
        return nanos == 0 ? SampleSink.NO_TIME : nanos / 1000;
    }

    /** One sample: the metric name plus suffix, the attributes, and one extra tag (value in {@link #number}). */
    private void sample(byte[] suffix, byte[] extraKey, int extraOff, int extraLen, long t, double value) {
        key.reset();
        key.metric(name, 0, nameLen);
        if (suffix.length > 0) {
            key.appendMetric(suffix, 0, suffix.length);
        }
        boolean fits = true;
        for (int i = 0; i < count; i++) {
            fits &= key.tag(store, keyOff[i], keyLen[i], store, valOff[i], valLen[i]);
        }
        if (delta) {
            fits &= key.tag(TEMPORALITY, 0, TEMPORALITY.length, DELTA, 0, DELTA.length);
        }
        if (extraKey != null) {
            fits &= key.tag(extraKey, 0, extraKey.length, number, extraOff, extraLen);
        }
        if (!fits) {
            sink.error(new ParseError(line, 1, "more than " + SeriesKey.MAX_TAGS + " attributes",
                    text(name, 0, nameLen)));
            return;
        }
        stats.samples++;
        sink.sample(key, t, value, SampleSink.NO_STEP);
    }

    private boolean admit(byte[] k, int off, int len) {
        if (level == Level.RESOURCE && !resourceFilter.keep(k, off, len)) {
            return false;
        }
        if (len == 0) {
            problem("an attribute with an empty key");
            return false;
        }
        if (len > SeriesKey.MAX_NAME_BYTES || !Numbers.isUtf8(k, off, off + len)) {
            problem("an attribute key longer than " + SeriesKey.MAX_NAME_BYTES + " bytes or not UTF-8");
            return false;
        }
        return true;
    }

    private void problem(String why) {
        switch (level) {
            case RESOURCE -> resourceProblem = "resource: " + why;
            case SCOPE -> scopeProblem = "scope: " + why;
            case POINT -> pointProblem = why;
        }
    }

    private void add(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
        if (used + kLen + vLen > store.length) {
            store = Arrays.copyOf(store, Math.max(store.length * 2, used + kLen + vLen));
        }
        if (count == keyOff.length) {
            int n = count * 2;
            keyOff = Arrays.copyOf(keyOff, n);
            keyLen = Arrays.copyOf(keyLen, n);
            valOff = Arrays.copyOf(valOff, n);
            valLen = Arrays.copyOf(valLen, n);
        }
        System.arraycopy(k, kOff, store, used, kLen);
        keyOff[count] = used;
        keyLen[count] = kLen;
        used += kLen;
        System.arraycopy(v, vOff, store, used, vLen);
        valOff[count] = used;
        valLen[count] = vLen;
        used += vLen;
        count++;
    }

    private static int decimal(long v, byte[] out) {
        if (v == Long.MIN_VALUE) {
            byte[] min = ascii(Long.toString(v));
            System.arraycopy(min, 0, out, 0, min.length);
            return min.length;
        }
        int n = 0;
        if (v < 0) {
            out[n++] = '-';
            v = -v;
        }
        int start = n;
        do {
            out[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = n - 1; i < j; i++, j--) {
            byte x = out[i];
            out[i] = out[j];
            out[j] = x;
        }
        return n;
    }

    private static String text(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
