package io.sluice.codec.otlp;

import com.google.protobuf.CodedInputStream;
import io.sluice.codec.ParseError;
import io.sluice.codec.Parser;
import io.sluice.codec.Protobuf;
import io.sluice.codec.SampleSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

import static io.sluice.codec.Protobuf.FIXED64;
import static io.sluice.codec.Protobuf.LEN;
import static io.sluice.codec.Protobuf.VARINT;
import static io.sluice.codec.Protobuf.tag;

/**
 * Reads an OTLP {@code ExportMetricsServiceRequest} in the binary protobuf encoding, field by field
 * with {@link CodedInputStream} over the body (field numbers from opentelemetry-proto's
 * {@code metrics/v1/metrics.proto}, {@code common/v1/common.proto} and
 * {@code resource/v1/resource.proto}). Strings stay ranges of the body until they are copied into
 * the key; bucket counts and bounds go into reused arrays: a few stream objects per metric,
 * nothing per point or sample.
 *
 * <p>Encoders write fields in number order, but the format does not promise it: a message whose
 * context must be known first (a resource's attributes before its scopes, a scope's before its
 * metrics, a metric's name and a sum's temporality before its points) is read in two passes.
 *
 * <p>A body that is not a valid message gives one error and sets {@link #malformed()}: whatever
 * was given to the sink before must be discarded. Not thread-safe: one instance per thread.
 */
public final class OtlpProtobufParser implements Parser<SampleSink> {
    // ExportMetricsServiceRequest, ResourceMetrics, Resource, ScopeMetrics, InstrumentationScope.
    private static final int REQUEST_RESOURCE_METRICS = tag(1, LEN);
    private static final int[] REQUEST = Protobuf.schema(REQUEST_RESOURCE_METRICS);
    private static final int RM_RESOURCE = tag(1, LEN);
    private static final int RM_SCOPE_METRICS = tag(2, LEN);
    private static final int[] RM = Protobuf.schema(RM_RESOURCE, RM_SCOPE_METRICS, tag(3, LEN));
    private static final int RESOURCE_ATTRIBUTES = tag(1, LEN);
    private static final int[] RESOURCE = Protobuf.schema(RESOURCE_ATTRIBUTES, tag(2, VARINT), tag(3, LEN));
    private static final int SM_SCOPE = tag(1, LEN);
    private static final int SM_METRICS = tag(2, LEN);
    private static final int[] SM = Protobuf.schema(SM_SCOPE, SM_METRICS, tag(3, LEN));
    private static final int SCOPE_ATTRIBUTES = tag(3, LEN);
    private static final int[] SCOPE = Protobuf.schema(tag(1, LEN), tag(2, LEN), SCOPE_ATTRIBUTES, tag(4, VARINT));
    // Metric and its data: Gauge, Sum, Histogram, ExponentialHistogram, Summary.
    private static final int METRIC_NAME = tag(1, LEN);
    private static final int GAUGE = 5, SUM = 7, HISTOGRAM = 9, EXPONENTIAL = 10, SUMMARY = 11;
    private static final int[] METRIC = Protobuf.schema(METRIC_NAME, tag(2, LEN), tag(3, LEN), tag(GAUGE, LEN),
            tag(SUM, LEN), tag(HISTOGRAM, LEN), tag(EXPONENTIAL, LEN), tag(SUMMARY, LEN), tag(12, LEN));
    private static final int DATA_POINTS = tag(1, LEN);
    private static final int DATA_TEMPORALITY = tag(2, VARINT);
    private static final int[] DATA = Protobuf.schema(DATA_POINTS, DATA_TEMPORALITY, tag(3, VARINT));
    private static final int TEMPORALITY_DELTA = 1;
    private static final long FLAG_NO_RECORDED_VALUE = 1;
    // Data points.
    private static final int START_TIME = tag(2, FIXED64);
    private static final int TIME = tag(3, FIXED64);
    private static final int NUMBER_DOUBLE = tag(4, FIXED64);
    private static final int NUMBER_EXEMPLARS = tag(5, LEN);
    private static final int NUMBER_INT = tag(6, FIXED64);
    private static final int NUMBER_ATTRIBUTES = tag(7, LEN);
    private static final int NUMBER_FLAGS = tag(8, VARINT);
    private static final int[] NUMBER = Protobuf.schema(START_TIME, TIME, NUMBER_DOUBLE, NUMBER_EXEMPLARS, NUMBER_INT,
            NUMBER_ATTRIBUTES, NUMBER_FLAGS);
    private static final int COUNT = tag(4, FIXED64);
    private static final int SUM_VALUE = tag(5, FIXED64);
    private static final int HIST_BUCKETS = 6, HIST_BOUNDS = 7;
    private static final int HIST_EXEMPLARS = tag(8, LEN);
    private static final int HIST_ATTRIBUTES = tag(9, LEN);
    private static final int HIST_FLAGS = tag(10, VARINT);
    private static final int HIST_MIN = tag(11, FIXED64);
    private static final int HIST_MAX = tag(12, FIXED64);
    private static final int[] HIST = Protobuf.schema(START_TIME, TIME, COUNT, SUM_VALUE, tag(HIST_BUCKETS, LEN),
            tag(HIST_BOUNDS, LEN), HIST_EXEMPLARS, HIST_ATTRIBUTES, HIST_FLAGS, HIST_MIN, HIST_MAX);
    private static final int EXP_ATTRIBUTES = tag(1, LEN);
    private static final int EXP_SCALE = tag(6, VARINT);
    private static final int EXP_ZERO_COUNT = tag(7, FIXED64);
    private static final int EXP_POSITIVE = tag(8, LEN);
    private static final int EXP_NEGATIVE = tag(9, LEN);
    private static final int EXP_FLAGS = tag(10, VARINT);
    private static final int EXP_EXEMPLARS = tag(11, LEN);
    private static final int EXP_MIN = tag(12, FIXED64);
    private static final int EXP_MAX = tag(13, FIXED64);
    private static final int EXP_ZERO_THRESHOLD = tag(14, FIXED64);
    private static final int[] EXP = Protobuf.schema(EXP_ATTRIBUTES, START_TIME, TIME, COUNT, SUM_VALUE, EXP_SCALE,
            EXP_ZERO_COUNT, EXP_POSITIVE, EXP_NEGATIVE, EXP_FLAGS, EXP_EXEMPLARS, EXP_MIN, EXP_MAX, EXP_ZERO_THRESHOLD);
    private static final int BUCKETS_OFFSET = tag(1, VARINT);
    private static final int BUCKETS_COUNTS = 2;
    private static final int[] BUCKETS = Protobuf.schema(BUCKETS_OFFSET, tag(BUCKETS_COUNTS, LEN));
    private static final int SUMMARY_QUANTILES = tag(6, LEN);
    private static final int SUMMARY_ATTRIBUTES = tag(7, LEN);
    private static final int SUMMARY_FLAGS = tag(8, VARINT);
    private static final int[] SUMMARY_POINT = Protobuf.schema(START_TIME, TIME, COUNT, SUM_VALUE, SUMMARY_QUANTILES,
            SUMMARY_ATTRIBUTES, SUMMARY_FLAGS);
    private static final int QUANTILE = tag(1, FIXED64);
    private static final int QUANTILE_VALUE = tag(2, FIXED64);
    private static final int[] QUANTILE_PAIR = Protobuf.schema(QUANTILE, QUANTILE_VALUE);
    // KeyValue and AnyValue (common.proto).
    private static final int KV_KEY = tag(1, LEN);
    private static final int KV_VALUE = tag(2, LEN);
    private static final int[] KV = Protobuf.schema(KV_KEY, KV_VALUE);
    private static final int ANY_STRING = tag(1, LEN);
    private static final int ANY_BOOL = tag(2, VARINT);
    private static final int ANY_INT = tag(3, VARINT);
    private static final int ANY_DOUBLE = tag(4, FIXED64);
    private static final int ANY_ARRAY = tag(5, LEN);
    private static final int ANY_KVLIST = tag(6, LEN);
    private static final int ANY_BYTES = tag(7, LEN);
    private static final int[] ANY = Protobuf.schema(ANY_STRING, ANY_BOOL, ANY_INT, ANY_DOUBLE, ANY_ARRAY, ANY_KVLIST,
            ANY_BYTES);

    private final OtlpStats stats = new OtlpStats();
    private final PointEmitter emitter = new PointEmitter(stats);
    private ParseError malformed;
    private CodedInputStream reading;
    private int readingOff;
    private byte[] buf;
    private long[] counts = new long[64];
    private long[] negative = new long[64];
    private double[] bounds = new double[64];
    private double[] quantiles = new double[16];
    private double[] quantileValues = new double[16];
    private int nCounts, nNegative, nBounds, nQuantiles;

    /** Which resource attributes become tags (all by default). */
    public OtlpProtobufParser filter(AttributeFilter filter) {
        emitter.filter(filter);
        return this;
    }

    /** @return samples given to the sink */
    @Override
    public int parse(byte[] buf, int off, int len, SampleSink sink) {
        Objects.checkFromIndexSize(off, len, buf.length);
        stats.clear();
        malformed = null;
        this.buf = buf;
        emitter.begin(sink);
        try {
            CodedInputStream in = stream(off, len);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == REQUEST_RESOURCE_METRICS) {
                    resourceMetrics(Protobuf.range(in, off));
                } else {
                    Protobuf.skip(in, tag, REQUEST);
                }
            }
        } catch (IOException e) {
            malformed = new ParseError(Math.max(1, emitter.line()), readingOff - off + reading.getTotalBytesRead() + 1,
                    "not a valid ExportMetricsServiceRequest: " + e.getMessage(), "");
            sink.error(malformed);
        } finally {
            this.buf = null;
        }
        return stats.samples;
    }

    /** The 1-based index of the data point being read, or the last one. */
    @Override
    public int line() {
        return emitter.line();
    }

    /** The error that made the last body malformed (see the class comment), or null. */
    public ParseError malformed() {
        return malformed;
    }

    public OtlpStats stats() {
        return stats;
    }

    private CodedInputStream stream(long range) {
        return stream(Protobuf.offset(range), Protobuf.length(range));
    }

    private CodedInputStream stream(int off, int len) {
        reading = CodedInputStream.newInstance(buf, off, len);
        readingOff = off;
        return reading;
    }

    private void resourceMetrics(long range) throws IOException {
        emitter.startResource();
        int off = Protobuf.offset(range);
        CodedInputStream in = stream(range);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == RM_RESOURCE) {
                attributes(Protobuf.range(in, off), RESOURCE_ATTRIBUTES, RESOURCE);
            } else {
                Protobuf.skip(in, tag, RM);
            }
        }
        in = stream(range);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == RM_SCOPE_METRICS) {
                scopeMetrics(Protobuf.range(in, off));
            } else {
                in.skipField(tag);
            }
        }
    }

    private void scopeMetrics(long range) throws IOException {
        emitter.startScope();
        int off = Protobuf.offset(range);
        CodedInputStream in = stream(range);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == SM_SCOPE) {
                attributes(Protobuf.range(in, off), SCOPE_ATTRIBUTES, SCOPE);
            } else {
                Protobuf.skip(in, tag, SM);
            }
        }
        in = stream(range);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == SM_METRICS) {
                metric(Protobuf.range(in, off));
            } else {
                in.skipField(tag);
            }
        }
    }

    /** The KeyValue list of a Resource or an InstrumentationScope; the rest of it is not stored. */
    private void attributes(long range, int attributeTag, int[] schema) throws IOException {
        int off = Protobuf.offset(range);
        CodedInputStream in = stream(range);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == attributeTag) {
                keyValue(in, off);
            } else {
                Protobuf.skip(in, tag, schema);
            }
        }
    }

    private void metric(long range) throws IOException {
        int off = Protobuf.offset(range);
        long name = 0;
        long data = -1;
        int kind = 0;
        CodedInputStream in = stream(range);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int number = tag >>> 3;
            if (tag == METRIC_NAME) {
                name = Protobuf.range(in, off);
            } else if (tag == tag(number, LEN) && (number == GAUGE || number == SUM || number == HISTOGRAM
                    || number == EXPONENTIAL || number == SUMMARY)) {
                data = Protobuf.range(in, off); // a oneof: the last one wins, as in generated code
                kind = number;
            } else {
                Protobuf.skip(in, tag, METRIC);
            }
        }
        boolean delta = (kind == SUM || kind == HISTOGRAM || kind == EXPONENTIAL) && temporality(data) == TEMPORALITY_DELTA;
        emitter.metric(buf, Protobuf.offset(name), Protobuf.length(name), delta);
        if (data < 0) {
            return; // no data: nothing to store
        }
        int dataOff = Protobuf.offset(data);
        in = stream(data);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag != DATA_POINTS) {
                Protobuf.skip(in, tag, DATA);
                continue;
            }
            int limit = Protobuf.enter(in);
            emitter.startPoint();
            switch (kind) {
                case GAUGE, SUM -> numberPoint(in, dataOff);
                case HISTOGRAM -> histogramPoint(in, dataOff);
                case EXPONENTIAL -> exponentialPoint(in, dataOff);
                default -> summaryPoint(in, dataOff);
            }
            in.popLimit(limit);
        }
    }

    /** A Sum's, Histogram's or ExponentialHistogram's aggregation_temporality (0 when absent). */
    private int temporality(long data) throws IOException {
        CodedInputStream in = stream(data);
        int t = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == DATA_TEMPORALITY) {
                t = in.readEnum();
            } else {
                Protobuf.skip(in, tag, DATA);
            }
        }
        return t;
    }

    private void numberPoint(CodedInputStream in, int off) throws IOException {
        long time = 0;
        double value = 0;
        long flags = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == TIME) {
                time = in.readFixed64();
            } else if (tag == NUMBER_DOUBLE) {
                value = in.readDouble();
            } else if (tag == NUMBER_INT) {
                value = in.readSFixed64();
            } else if (tag == NUMBER_ATTRIBUTES) {
                keyValue(in, off);
            } else if (tag == NUMBER_FLAGS) {
                flags = in.readUInt32();
            } else {
                exemplar(tag, NUMBER_EXEMPLARS);
                Protobuf.skip(in, tag, NUMBER);
            }
        }
        if ((flags & FLAG_NO_RECORDED_VALUE) != 0) {
            emitter.noRecordedValue();
        } else {
            emitter.number(time, value);
        }
    }

    private void histogramPoint(CodedInputStream in, int off) throws IOException {
        long time = 0, count = 0, flags = 0;
        double sum = 0, min = 0, max = 0;
        boolean hasSum = false, hasMin = false, hasMax = false;
        nCounts = 0;
        nBounds = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == TIME) {
                time = in.readFixed64();
            } else if (tag == COUNT) {
                count = in.readFixed64();
            } else if (tag == SUM_VALUE) {
                sum = in.readDouble();
                hasSum = true;
            } else if (tag == tag(HIST_BUCKETS, LEN)) {
                int limit = Protobuf.enter(in);
                while (!in.isAtEnd()) {
                    counts = add(counts, nCounts++, in.readFixed64());
                }
                in.popLimit(limit);
            } else if (tag == tag(HIST_BUCKETS, FIXED64)) {
                counts = add(counts, nCounts++, in.readFixed64());
            } else if (tag == tag(HIST_BOUNDS, LEN)) {
                int limit = Protobuf.enter(in);
                while (!in.isAtEnd()) {
                    bounds = add(bounds, nBounds++, in.readDouble());
                }
                in.popLimit(limit);
            } else if (tag == tag(HIST_BOUNDS, FIXED64)) {
                bounds = add(bounds, nBounds++, in.readDouble());
            } else if (tag == HIST_ATTRIBUTES) {
                keyValue(in, off);
            } else if (tag == HIST_FLAGS) {
                flags = in.readUInt32();
            } else if (tag == HIST_MIN) {
                min = in.readDouble();
                hasMin = true;
            } else if (tag == HIST_MAX) {
                max = in.readDouble();
                hasMax = true;
            } else {
                exemplar(tag, HIST_EXEMPLARS);
                Protobuf.skip(in, tag, HIST);
            }
        }
        if ((flags & FLAG_NO_RECORDED_VALUE) != 0) {
            emitter.noRecordedValue();
        } else {
            emitter.histogram(time, count, sum, hasSum, counts, nCounts, bounds, nBounds, min, hasMin, max, hasMax);
        }
    }

    private void exponentialPoint(CodedInputStream in, int off) throws IOException {
        long time = 0, count = 0, zeroCount = 0, flags = 0;
        double sum = 0, min = 0, max = 0, zeroThreshold = 0;
        boolean hasSum = false, hasMin = false, hasMax = false;
        int scale = 0, posOffset = 0, negOffset = 0;
        nCounts = 0;
        nNegative = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == TIME) {
                time = in.readFixed64();
            } else if (tag == COUNT) {
                count = in.readFixed64();
            } else if (tag == SUM_VALUE) {
                sum = in.readDouble();
                hasSum = true;
            } else if (tag == EXP_SCALE) {
                scale = in.readSInt32();
            } else if (tag == EXP_ZERO_COUNT) {
                zeroCount = in.readFixed64();
            } else if (tag == EXP_POSITIVE) {
                nCounts = 0;
                posOffset = buckets(in, true);
            } else if (tag == EXP_NEGATIVE) {
                nNegative = 0;
                negOffset = buckets(in, false);
            } else if (tag == EXP_ATTRIBUTES) {
                keyValue(in, off);
            } else if (tag == EXP_FLAGS) {
                flags = in.readUInt32();
            } else if (tag == EXP_MIN) {
                min = in.readDouble();
                hasMin = true;
            } else if (tag == EXP_MAX) {
                max = in.readDouble();
                hasMax = true;
            } else if (tag == EXP_ZERO_THRESHOLD) {
                zeroThreshold = in.readDouble();
            } else {
                exemplar(tag, EXP_EXEMPLARS);
                Protobuf.skip(in, tag, EXP);
            }
        }
        if ((flags & FLAG_NO_RECORDED_VALUE) != 0) {
            emitter.noRecordedValue();
        } else {
            emitter.exponential(time, count, sum, hasSum, scale, zeroCount, zeroThreshold, posOffset, counts, nCounts,
                    negOffset, negative, nNegative, min, hasMin, max, hasMax);
        }
    }

    /** An ExponentialHistogramDataPoint.Buckets into {@link #counts} or {@link #negative}; returns its offset. */
    private int buckets(CodedInputStream in, boolean positive) throws IOException {
        int limit = Protobuf.enter(in);
        int offset = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == BUCKETS_OFFSET) {
                offset = in.readSInt32();
            } else if (tag == tag(BUCKETS_COUNTS, LEN)) {
                int inner = Protobuf.enter(in);
                while (!in.isAtEnd()) {
                    bucket(positive, in.readUInt64());
                }
                in.popLimit(inner);
            } else if (tag == tag(BUCKETS_COUNTS, VARINT)) {
                bucket(positive, in.readUInt64());
            } else {
                Protobuf.skip(in, tag, BUCKETS);
            }
        }
        in.popLimit(limit);
        return offset;
    }

    private void bucket(boolean positive, long count) {
        if (positive) {
            counts = add(counts, nCounts++, count);
        } else {
            negative = add(negative, nNegative++, count);
        }
    }

    private void summaryPoint(CodedInputStream in, int off) throws IOException {
        long time = 0, count = 0, flags = 0;
        double sum = 0;
        nQuantiles = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == TIME) {
                time = in.readFixed64();
            } else if (tag == COUNT) {
                count = in.readFixed64();
            } else if (tag == SUM_VALUE) {
                sum = in.readDouble();
            } else if (tag == SUMMARY_QUANTILES) {
                quantile(in);
            } else if (tag == SUMMARY_ATTRIBUTES) {
                keyValue(in, off);
            } else if (tag == SUMMARY_FLAGS) {
                flags = in.readUInt32();
            } else {
                Protobuf.skip(in, tag, SUMMARY_POINT);
            }
        }
        if ((flags & FLAG_NO_RECORDED_VALUE) != 0) {
            emitter.noRecordedValue();
        } else {
            emitter.summary(time, count, sum, quantiles, quantileValues, nQuantiles);
        }
    }

    private void quantile(CodedInputStream in) throws IOException {
        int limit = Protobuf.enter(in);
        double q = 0;
        double v = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == QUANTILE) {
                q = in.readDouble();
            } else if (tag == QUANTILE_VALUE) {
                v = in.readDouble();
            } else {
                Protobuf.skip(in, tag, QUANTILE_PAIR);
            }
        }
        in.popLimit(limit);
        quantiles = add(quantiles, nQuantiles, q);
        quantileValues = add(quantileValues, nQuantiles, v);
        nQuantiles++;
    }

    private void exemplar(int tag, int exemplarTag) {
        if (tag == exemplarTag) {
            stats.exemplars++;
        }
    }

    /**
     * A KeyValue: its key and AnyValue. Strings stay ranges of the body; numbers and booleans
     * are written as text; arrays and key-value lists as JSON, as the OpenTelemetry collector
     * renders them; bytes as base64.
     */
    private void keyValue(CodedInputStream in, int off) throws IOException {
        int limit = Protobuf.enter(in);
        long key = 0;
        int kind = 0; // the AnyValue field that holds the value; 0: none
        long value = 0; // its range, or its bits
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == KV_KEY) {
                key = Protobuf.range(in, off);
            } else if (tag == KV_VALUE) {
                int inner = Protobuf.enter(in);
                while (!in.isAtEnd()) {
                    int t = in.readTag();
                    if (t == ANY_STRING || t == ANY_BYTES || t == ANY_ARRAY || t == ANY_KVLIST) {
                        value = Protobuf.range(in, off);
                    } else if (t == ANY_BOOL || t == ANY_INT) {
                        value = in.readInt64();
                    } else if (t == ANY_DOUBLE) {
                        value = in.readFixed64();
                    } else {
                        Protobuf.skip(in, t, ANY);
                        continue;
                    }
                    kind = t; // a oneof: the last one wins
                }
                in.popLimit(inner);
            } else {
                Protobuf.skip(in, tag, KV);
            }
        }
        in.popLimit(limit);
        int kOff = Protobuf.offset(key);
        int kLen = Protobuf.length(key);
        if (kind == ANY_STRING) {
            emitter.attribute(buf, kOff, kLen, buf, Protobuf.offset(value), Protobuf.length(value));
        } else if (kind == ANY_BOOL) {
            emitter.attribute(buf, kOff, kLen, value != 0);
        } else if (kind == ANY_INT) {
            emitter.attribute(buf, kOff, kLen, value);
        } else if (kind == ANY_DOUBLE) {
            emitter.attribute(buf, kOff, kLen, Double.longBitsToDouble(value));
        } else if (kind == 0) {
            emitter.attribute(buf, kOff, kLen, buf, 0, 0); // an empty AnyValue: the empty string
        } else {
            int vOff = Protobuf.offset(value);
            int vLen = Protobuf.length(value);
            String text = kind == ANY_BYTES
                    ? Base64.getEncoder().encodeToString(Arrays.copyOfRange(buf, vOff, vOff + vLen))
                    : AnyValueJson.render(buf, vOff, vLen, kind == ANY_KVLIST);
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            emitter.attribute(buf, kOff, kLen, b, 0, b.length);
        }
    }

    private static long[] add(long[] a, int i, long v) {
        long[] b = i < a.length ? a : Arrays.copyOf(a, a.length * 2);
        b[i] = v;
        return b;
    }

    private static double[] add(double[] a, int i, double v) {
        double[] b = i < a.length ? a : Arrays.copyOf(a, a.length * 2);
        b[i] = v;
        return b;
    }
}
