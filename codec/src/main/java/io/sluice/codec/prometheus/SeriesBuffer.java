package io.sluice.codec.prometheus;

import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.influx.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One time series of a remote write request while it is read (labels and samples may come in
 * any order within it), then checked and given to the sink. Labels are ranges of the request's
 * bytes and samples are kept in primitive arrays, grown and reused: no object per sample.
 *
 * <p>Mapping (remote write 1.0 spec, "Labels" and "Samples"): {@code __name__} is the metric,
 * every other label a tag; a label with an empty value is no label, as Prometheus treats it;
 * timestamps are milliseconds. A stale marker is skipped and counted; another NaN or an infinity
 * is skipped and counted too, since Sluice stores finite values only.
 */
final class SeriesBuffer {
    /** Prometheus' staleness marker: a NaN with this exact bit pattern (model/value/value.go). */
    static final long STALE_NAN = 0x7ff0000000000002L;
    private static final byte[] NAME = "__name__".getBytes(StandardCharsets.US_ASCII);
    private static final long MAX_MS = Long.MAX_VALUE / 1000;

    private int labels;
    private int[] nameOff = new int[16], nameLen = new int[16], valueOff = new int[16], valueLen = new int[16];
    private int samples;
    private double[] values = new double[16];
    private long[] times = new long[16];

    private String refused;

    void clear() {
        labels = 0;
        samples = 0;
        refused = null;
    }

    /** The series cannot be stored for a reason found while reading it (2.0: a bad label reference). */
    void refuse(String reason) {
        refused = reason;
    }

    void label(int nOff, int nLen, int vOff, int vLen) {
        if (labels == nameOff.length) {
            int n = labels * 2;
            nameOff = Arrays.copyOf(nameOff, n);
            nameLen = Arrays.copyOf(nameLen, n);
            valueOff = Arrays.copyOf(valueOff, n);
            valueLen = Arrays.copyOf(valueLen, n);
        }
        nameOff[labels] = nOff;
        nameLen[labels] = nLen;
        valueOff[labels] = vOff;
        valueLen[labels] = vLen;
        labels++;
    }

    void sample(double value, long timestampMs) {
        if (samples == values.length) {
            values = Arrays.copyOf(values, samples * 2);
            times = Arrays.copyOf(times, samples * 2);
        }
        values[samples] = value;
        times[samples] = timestampMs;
        samples++;
    }

    /**
     * Checks the labels and gives each storable sample to the sink; a series whose labels are
     * wrong gives one error instead, naming it.
     *
     * @param line     the series' 1-based index in the request
     * @param position the 1-based offset of the series' message in the decoded body
     * @return samples given to the sink
     */
    int emit(byte[] buf, SeriesKey key, SampleSink sink, RemoteWriteStats stats, int line, int position) {
        if (samples == 0) {
            return 0;
        }
        String bad = refused != null ? refused : buildKey(buf, key);
        if (bad != null) {
            sink.error(error(buf, line, position, bad));
            return 0;
        }
        int n = 0;
        for (int i = 0; i < samples; i++) {
            double v = values[i];
            if (Double.doubleToRawLongBits(v) == STALE_NAN) {
                stats.staleMarkers++;
                continue;
            }
            if (!Double.isFinite(v)) {
                stats.nonFinite++;
                continue;
            }
            long ms = times[i];
            if (ms > MAX_MS || ms < -MAX_MS) {
                sink.error(error(buf, line, position, "timestamp " + ms + " ms is out of range"));
                continue;
            }
            sink.sample(key, ms * 1000, v, SampleSink.NO_STEP);
            n++;
        }
        stats.samples += n;
        return n;
    }

    /** Fills the key from the labels; returns why it cannot be, or null. */
    private String buildKey(byte[] buf, SeriesKey key) {
        key.reset();
        int name = -1;
        for (int i = 0; i < labels; i++) {
            int no = nameOff[i], nl = nameLen[i], vo = valueOff[i], vl = valueLen[i];
            if (nl == 0) {
                return "a label with an empty name";
            }
            if (!Numbers.isUtf8(buf, no, no + nl) || !Numbers.isUtf8(buf, vo, vo + vl)) {
                return "a label name or value that is not UTF-8";
            }
            for (int j = 0; j < i; j++) {
                if (Arrays.equals(buf, no, no + nl, buf, nameOff[j], nameOff[j] + nameLen[j])) {
                    return "label " + new String(buf, no, nl, StandardCharsets.UTF_8) + " given twice";
                }
            }
            if (Arrays.equals(buf, no, no + nl, NAME, 0, NAME.length)) {
                name = i;
                continue;
            }
            if (vl == 0) {
                continue;
            }
            if (nl > SeriesKey.MAX_NAME_BYTES) {
                return "label name longer than " + SeriesKey.MAX_NAME_BYTES + " bytes";
            }
            if (vl > SeriesKey.MAX_TAG_VALUE_BYTES) {
                return "label value longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes";
            }
            if (!key.tag(buf, no, nl, buf, vo, vl)) {
                return "more than " + SeriesKey.MAX_TAGS + " labels";
            }
        }
        if (name < 0 || valueLen[name] == 0) {
            return "no __name__ label (the metric name)";
        }
        if (valueLen[name] > SeriesKey.MAX_NAME_BYTES) {
            return "metric name longer than " + SeriesKey.MAX_NAME_BYTES + " bytes";
        }
        key.metric(buf, valueOff[name], valueLen[name]);
        return null;
    }

    /** An error naming the series as Prometheus writes it, {@code name{a="b"}}. */
    private ParseError error(byte[] buf, int line, int position, String reason) {
        byte[] t = text(buf);
        return new ParseError(line, position, reason, ParseError.excerpt(t, 0, t.length));
    }

    private byte[] text(byte[] buf) {
        StringBuilder s = new StringBuilder();
        StringBuilder rest = new StringBuilder();
        for (int i = 0; i < labels; i++) {
            String n = new String(buf, nameOff[i], nameLen[i], StandardCharsets.UTF_8);
            String v = new String(buf, valueOff[i], valueLen[i], StandardCharsets.UTF_8);
            if (n.equals("__name__") && s.isEmpty()) {
                s.append(v);
            } else {
                rest.append(rest.isEmpty() ? "" : ",").append(n).append("=\"").append(v).append('"');
            }
        }
        return s.append('{').append(rest).append('}').toString().getBytes(StandardCharsets.UTF_8);
    }
}
