package io.sluice.codec.prometheus;

import com.google.protobuf.CodedInputStream;
import io.sluice.codec.ParseError;
import io.sluice.codec.Parser;
import io.sluice.codec.Protobuf;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

import static io.sluice.codec.Protobuf.FIXED64;
import static io.sluice.codec.Protobuf.LEN;
import static io.sluice.codec.Protobuf.VARINT;
import static io.sluice.codec.Protobuf.tag;

/**
 * Reads a decoded (snappy already undone) remote write body, 1.0's {@code prometheus.WriteRequest}
 * or 2.0's {@code io.prometheus.write.v2.Request}, field by field with {@link CodedInputStream}
 * over the bytes: label names and values stay ranges of the body until they go into the
 * {@link SeriesKey}, samples go into primitive arrays. Mapping and counts in
 * {@code package-info.java}.
 *
 * <p>A body that is not a valid message of its kind (truncated, a wrong wire type, a length past
 * the end) gives one error and sets {@link #malformed()}: samples given to the sink before it was
 * found must then be discarded, as Prometheus' own receiver refuses such a request whole. Not
 * thread-safe: one instance per thread.
 */
public final class RemoteWriteParser implements Parser<SampleSink> {
    /** Which message a body holds, from its {@code Content-Type}. */
    public enum Version {
        /** {@code prometheus.WriteRequest}: {@code application/x-protobuf}, or with {@code ;proto=prometheus.WriteRequest}. */
        V1,
        /** {@code io.prometheus.write.v2.Request}: {@code application/x-protobuf;proto=io.prometheus.write.v2.Request}. */
        V2
    }

    // prometheus.WriteRequest (prompb/remote.proto) and its TimeSeries, Label, Sample (prompb/types.proto).
    private static final int V1_TIMESERIES = tag(1, LEN);
    private static final int V1_METADATA = tag(3, LEN);
    private static final int[] V1_REQUEST = Protobuf.schema(V1_TIMESERIES, V1_METADATA);
    private static final int V1_LABELS = tag(1, LEN);
    private static final int V1_SAMPLES = tag(2, LEN);
    private static final int V1_EXEMPLARS = tag(3, LEN);
    private static final int V1_HISTOGRAMS = tag(4, LEN);
    private static final int[] V1_SERIES = Protobuf.schema(V1_LABELS, V1_SAMPLES, V1_EXEMPLARS, V1_HISTOGRAMS);
    private static final int LABEL_NAME = tag(1, LEN);
    private static final int LABEL_VALUE = tag(2, LEN);
    private static final int SAMPLE_VALUE = tag(1, FIXED64);
    private static final int SAMPLE_TIMESTAMP = tag(2, VARINT);
    private static final int[] LABEL = Protobuf.schema(LABEL_NAME, LABEL_VALUE);
    private static final int[] SAMPLE = Protobuf.schema(SAMPLE_VALUE, SAMPLE_TIMESTAMP);

    // io.prometheus.write.v2.Request (prompb/io/prometheus/write/v2/types.proto).
    private static final int V2_SYMBOLS = tag(4, LEN);
    private static final int V2_TIMESERIES = tag(5, LEN);
    private static final int[] V2_REQUEST = Protobuf.schema(V2_SYMBOLS, V2_TIMESERIES);
    private static final int V2_LABEL_REFS_PACKED = tag(1, LEN);
    private static final int V2_LABEL_REFS = tag(1, VARINT);
    private static final int V2_SAMPLES = tag(2, LEN);
    private static final int V2_HISTOGRAMS = tag(3, LEN);
    private static final int V2_EXEMPLARS = tag(4, LEN);
    private static final int V2_METADATA = tag(5, LEN);
    private static final int V2_CREATED_TIMESTAMP = tag(6, VARINT);
    private static final int[] V2_SERIES = Protobuf.schema(V2_LABEL_REFS_PACKED, V2_SAMPLES, V2_HISTOGRAMS,
            V2_EXEMPLARS, V2_METADATA, V2_CREATED_TIMESTAMP);

    private final SeriesKey key = new SeriesKey();
    private final SeriesBuffer series = new SeriesBuffer();
    private final RemoteWriteStats stats = new RemoteWriteStats();
    private int line;
    private ParseError malformed;
    // 2.0's symbol table, as ranges of the body, and the current series' label references.
    private int symbols;
    private int[] symbolOff = new int[256], symbolLen = new int[256];
    private int refs;
    private int[] ref = new int[32];
    /** The stream being read, for the position of a malformed body. */
    private CodedInputStream reading;

    /** Parses a 1.0 body. */
    @Override
    public int parse(byte[] buf, int off, int len, SampleSink sink) {
        return parse(buf, off, len, Version.V1, sink);
    }

    /** @return samples given to the sink */
    public int parse(byte[] buf, int off, int len, Version version, SampleSink sink) {
        Objects.checkFromIndexSize(off, len, buf.length);
        stats.clear();
        line = 0;
        malformed = null;
        try {
            return version == Version.V1 ? v1(stream(buf, off, len), buf, off, sink) : v2(buf, off, len, sink);
        } catch (IOException e) {
            int at = reading.getTotalBytesRead();
            malformed = new ParseError(Math.max(1, line), at + 1,
                    "not a valid " + (version == Version.V1 ? "prometheus.WriteRequest" : "io.prometheus.write.v2.Request")
                            + ": " + e.getMessage(), "");
            sink.error(malformed);
            return stats.samples; // what came before the damage; the caller discards it (class comment)
        }
    }

    /** The 1-based index of the series being read, or the last one. */
    @Override
    public int line() {
        return line;
    }

    /** The error that made the last body malformed (see the class comment), or null. */
    public ParseError malformed() {
        return malformed;
    }

    /** Counts of the last body; reset by the next parse. */
    public RemoteWriteStats stats() {
        return stats;
    }

    private int v1(CodedInputStream in, byte[] buf, int base, SampleSink sink) throws IOException {
        int n = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == V1_TIMESERIES) {
                n += v1Series(in, buf, base, sink);
            } else {
                stats.metadata += tag == V1_METADATA ? 1 : 0;
                Protobuf.skip(in, tag, V1_REQUEST);
            }
        }
        return n;
    }

    private int v1Series(CodedInputStream in, byte[] buf, int base, SampleSink sink) throws IOException {
        int old = Protobuf.enter(in);
        int position = in.getTotalBytesRead() + 1;
        line++;
        stats.series++;
        series.clear();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == V1_LABELS) {
                label(in, base);
            } else if (tag == V1_SAMPLES) {
                sample(in);
            } else if (tag == V1_EXEMPLARS) {
                stats.exemplars++;
                in.skipField(tag);
            } else if (tag == V1_HISTOGRAMS) {
                stats.histograms++;
                in.skipField(tag);
            } else {
                Protobuf.skip(in, tag, V1_SERIES);
            }
        }
        in.popLimit(old);
        return series.emit(buf, key, sink, stats, line, position);
    }

    private void label(CodedInputStream in, int base) throws IOException {
        int old = Protobuf.enter(in);
        long name = 0;
        long value = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == LABEL_NAME) {
                name = Protobuf.range(in, base);
            } else if (tag == LABEL_VALUE) {
                value = Protobuf.range(in, base);
            } else {
                Protobuf.skip(in, tag, LABEL);
            }
        }
        in.popLimit(old);
        series.label(Protobuf.offset(name), Protobuf.length(name), Protobuf.offset(value), Protobuf.length(value));
    }

    /** A Sample: the same message in 1.0 and 2.0; fields left out are 0, as proto3 says. */
    private void sample(CodedInputStream in) throws IOException {
        int old = Protobuf.enter(in);
        double value = 0;
        long timestamp = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == SAMPLE_VALUE) {
                value = in.readDouble();
            } else if (tag == SAMPLE_TIMESTAMP) {
                timestamp = in.readInt64();
            } else {
                Protobuf.skip(in, tag, SAMPLE);
            }
        }
        in.popLimit(old);
        series.sample(value, timestamp);
    }

    /**
     * 2.0: the symbol table is read first, in a pass of its own, so series may reference it
     * wherever it stands in the body (senders put it first, but the format does not say so).
     */
    private int v2(byte[] buf, int base, int len, SampleSink sink) throws IOException {
        symbols = 0;
        CodedInputStream in = stream(buf, base, len);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == V2_SYMBOLS) {
                long r = Protobuf.range(in, base);
                symbol(Protobuf.offset(r), Protobuf.length(r));
            } else {
                Protobuf.skip(in, tag, V2_REQUEST);
            }
        }
        in = stream(buf, base, len);
        int n = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == V2_TIMESERIES) {
                n += v2Series(in, buf, sink);
            } else {
                in.skipField(tag);
            }
        }
        return n;
    }

    private CodedInputStream stream(byte[] buf, int off, int len) {
        reading = CodedInputStream.newInstance(buf, off, len);
        return reading;
    }

    private void symbol(int off, int len) {
        if (symbols == symbolOff.length) {
            symbolOff = Arrays.copyOf(symbolOff, symbols * 2);
            symbolLen = Arrays.copyOf(symbolLen, symbols * 2);
        }
        symbolOff[symbols] = off;
        symbolLen[symbols] = len;
        symbols++;
    }

    private int v2Series(CodedInputStream in, byte[] buf, SampleSink sink) throws IOException {
        int old = Protobuf.enter(in);
        int position = in.getTotalBytesRead() + 1;
        line++;
        stats.series++;
        series.clear();
        refs = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == V2_LABEL_REFS_PACKED) {
                int refsEnd = Protobuf.enter(in);
                while (!in.isAtEnd()) {
                    ref(in.readRawVarint64());
                }
                in.popLimit(refsEnd);
            } else if (tag == V2_LABEL_REFS) {
                ref(in.readRawVarint64());
            } else if (tag == V2_SAMPLES) {
                sample(in);
            } else if (tag == V2_HISTOGRAMS) {
                stats.histograms++;
                in.skipField(tag);
            } else if (tag == V2_EXEMPLARS) {
                stats.exemplars++;
                in.skipField(tag);
            } else if (tag == V2_METADATA) {
                stats.metadata++;
                in.skipField(tag);
            } else {
                Protobuf.skip(in, tag, V2_SERIES);
            }
        }
        in.popLimit(old);
        String bad = labelsFromRefs();
        if (bad != null) {
            series.refuse(bad);
        }
        return series.emit(buf, key, sink, stats, line, position);
    }

    /** A uint32 reference; a larger value cannot name a symbol, so it is kept as "out of range". */
    private void ref(long r) {
        if (refs == ref.length) {
            ref = Arrays.copyOf(ref, refs * 2);
        }
        ref[refs++] = r < 0 || r > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) r;
    }

    private String labelsFromRefs() {
        if ((refs & 1) != 0) {
            return "labels_refs holds " + refs + " references, not name-value pairs";
        }
        for (int i = 0; i < refs; i += 2) {
            int n = ref[i];
            int v = ref[i + 1];
            if (n >= symbols || v >= symbols) {
                return "label reference " + Math.max(n, v) + " is past the symbol table (" + symbols + " symbols)";
            }
            series.label(symbolOff[n], symbolLen[n], symbolOff[v], symbolLen[v]);
        }
        return null;
    }
}
