package io.sluice.codec.influx;

import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * InfluxDB line protocol: {@code measurement[,tag=value...] field=value[,field=value...] [timestamp]}.
 *
 * <p>One line at a time, validated whole before any of its samples is emitted, so a bad line
 * gives one {@link ParseError} and nothing else, and the next line is parsed as if it had not
 * happened. The good path creates no garbage: names are unescaped into a reused buffer, numbers
 * are read from the bytes, and one {@link SeriesKey} is reused. Not thread-safe: one per thread.
 *
 * <p>Escapes (backslash): {@code , } and space in measurements; {@code , = } and space in tag keys,
 * tag values and field keys; a backslash before itself stands for one backslash, before anything
 * else for itself. String fields are valid but not numbers: skipped and counted. Booleans are
 * 1 and 0. A field named {@code value} gives metric {@code measurement}, any other field
 * {@code measurement_field}. A field key given twice keeps the last value.
 */
public final class LineProtocolParser {
    private static final int MAX_FIELDS = 256;

    private final SeriesKey key = new SeriesKey();
    private byte[] scratch = new byte[1024];
    private int scratchLen;
    private int measOff, measLen;
    private final int[] tagKeyOff = new int[SeriesKey.MAX_TAGS], tagKeyLen = new int[SeriesKey.MAX_TAGS];
    private final int[] tagValOff = new int[SeriesKey.MAX_TAGS], tagValLen = new int[SeriesKey.MAX_TAGS];
    private int tagCount;
    private final int[] fieldOff = new int[MAX_FIELDS], fieldLen = new int[MAX_FIELDS];
    private final double[] fieldValue = new double[MAX_FIELDS];
    private int fieldCount;
    private int stringFields;

    // Where the current line is, for errors.
    private byte[] buf;
    private int lineStart;
    private int lineEnd;
    private int line;
    private String error;
    private int errorAt;

    /** The 1-based number of the line being parsed (or last parsed). */
    public int line() {
        return line;
    }

    /**
     * Parses every line of {@code buf[off, off+len)}.
     *
     * @return samples emitted
     */
    public int parse(byte[] buf, int off, int len, Precision precision, SampleSink sink) {
        this.buf = buf;
        int end = off + len;
        int pos = off;
        int emitted = 0;
        line = 0;
        while (pos < end) {
            line++;
            int eol = pos;
            while (eol < end && buf[eol] != '\n') {
                eol++;
            }
            int e = eol > pos && buf[eol - 1] == '\r' ? eol - 1 : eol;
            emitted += parseLine(pos, e, precision, sink);
            pos = eol + 1;
        }
        this.buf = null;
        return emitted;
    }

    private int parseLine(int s, int e, Precision precision, SampleSink sink) {
        lineStart = s;
        lineEnd = e;
        int p = s;
        while (p < e && (buf[p] == ' ' || buf[p] == '\t')) {
            p++;
        }
        if (p == e || buf[p] == '#') {
            return 0;
        }
        scratchLen = 0;
        tagCount = 0;
        fieldCount = 0;
        stringFields = 0;
        error = null;
        long time = scan(p, e, precision);
        if (error != null) {
            String text = new String(buf, s, Math.min(e - s, ParseError.MAX_TEXT), StandardCharsets.UTF_8);
            sink.error(new ParseError(line, errorAt - s + 1, error, text));
            return 0;
        }
        for (int i = 0; i < stringFields; i++) {
            sink.skippedField();
        }
        for (int f = 0; f < fieldCount; f++) {
            key.reset().metric(scratch, measOff, measLen);
            if (!(fieldLen[f] == 5 && isValue(fieldOff[f]))) {
                key.appendMetric(UNDERSCORE, 0, 1).appendMetric(scratch, fieldOff[f], fieldLen[f]);
            }
            for (int t = 0; t < tagCount; t++) {
                key.tag(scratch, tagKeyOff[t], tagKeyLen[t], scratch, tagValOff[t], tagValLen[t]);
            }
            sink.sample(key, time, fieldValue[f], SampleSink.NO_STEP);
        }
        return fieldCount;
    }

    private static final byte[] UNDERSCORE = {'_'};
    private static final byte[] VALUE = {'v', 'a', 'l', 'u', 'e'};

    private boolean isValue(int off) {
        return Arrays.equals(scratch, off, off + 5, VALUE, 0, 5);
    }

    /** Validates the line and fills the per-line buffers; returns the time or sets {@link #error}. */
    private long scan(int p, int e, Precision precision) {
        // Measurement: up to an unescaped comma or space.
        int start = p;
        measOff = scratchLen;
        p = unescape(p, e, false);
        measLen = scratchLen - measOff;
        if (measLen == 0) {
            return fail(start, "missing measurement");
        }
        if (measLen > SeriesKey.MAX_NAME_BYTES) {
            return fail(start, "measurement longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
        }
        // Tags.
        while (p < e && buf[p] == ',') {
            p++;
            int ks = p;
            int kOff = scratchLen;
            p = unescape(p, e, true);
            int kLen = scratchLen - kOff;
            if (kLen == 0) {
                return fail(ks, "missing tag key");
            }
            if (kLen > SeriesKey.MAX_NAME_BYTES) {
                return fail(ks, "tag key longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
            }
            if (p >= e || buf[p] != '=') {
                return fail(p, "missing '=' after tag key");
            }
            p++;
            int vs = p;
            int vOff = scratchLen;
            p = unescape(p, e, true);
            int vLen = scratchLen - vOff;
            if (vLen == 0) {
                return fail(vs, "missing tag value");
            }
            if (vLen > SeriesKey.MAX_TAG_VALUE_BYTES) {
                return fail(vs, "tag value longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes");
            }
            if (p < e && buf[p] == '=') {
                return fail(p, "unescaped '=' in tag value");
            }
            if (!addTag(kOff, kLen, vOff, vLen)) {
                return fail(ks, "more than " + SeriesKey.MAX_TAGS + " tags");
            }
        }
        if (p >= e) {
            return fail(p, "missing fields");
        }
        if (buf[p] != ' ') {
            return fail(p, "expected a space before the fields");
        }
        while (p < e && buf[p] == ' ') {
            p++;
        }
        if (p >= e) {
            return fail(p, "missing fields");
        }
        // Fields.
        while (true) {
            int ks = p;
            int kOff = scratchLen;
            p = unescape(p, e, true);
            int kLen = scratchLen - kOff;
            if (kLen == 0) {
                return fail(ks, "missing field key");
            }
            if (kLen > SeriesKey.MAX_NAME_BYTES) {
                return fail(ks, "field key longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
            }
            if (p >= e || buf[p] != '=') {
                return fail(p, "missing '=' after field key");
            }
            p++;
            if (p >= e || buf[p] == ' ' || buf[p] == ',') {
                return fail(p, "missing field value");
            }
            if (buf[p] == '"') {
                p = skipString(p + 1, e);
                if (p < 0) {
                    return fail(-p - 1, "unterminated string field value");
                }
                stringFields++;
            } else {
                int vs = p;
                while (p < e && buf[p] != ',' && buf[p] != ' ') {
                    p++;
                }
                double v = fieldValue(vs, p);
                if (error != null) {
                    return Long.MIN_VALUE;
                }
                if (measLen + 1 + kLen > SeriesKey.MAX_NAME_BYTES && !(kLen == 5 && isValue(kOff))) {
                    return fail(ks, "metric name (measurement_field) longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
                }
                if (!addField(kOff, kLen, v)) {
                    return fail(ks, "more than " + MAX_FIELDS + " fields");
                }
            }
            if (p >= e || buf[p] == ' ') {
                break;
            }
            p++; // comma
            if (p >= e || buf[p] == ' ') {
                return fail(p, "missing field after ','");
            }
        }
        // Optional timestamp.
        while (p < e && buf[p] == ' ') {
            p++;
        }
        if (p >= e) {
            return SampleSink.NO_TIME;
        }
        int ts = p;
        while (p < e && buf[p] != ' ') {
            p++;
        }
        int te = p;
        while (p < e && buf[p] == ' ') {
            p++;
        }
        if (p < e) {
            return fail(p, "unexpected text after the timestamp");
        }
        long t = parseLong(ts, te);
        if (error != null) {
            error = error.equals("overflow") ? "timestamp out of range" : "invalid timestamp";
            return Long.MIN_VALUE;
        }
        long micros = precision.toMicros(t);
        if (micros == Long.MIN_VALUE) {
            return fail(ts, "timestamp out of range for precision " + precision.name().toLowerCase());
        }
        return micros;
    }

    private boolean addTag(int kOff, int kLen, int vOff, int vLen) {
        for (int i = 0; i < tagCount; i++) {
            if (Arrays.equals(scratch, tagKeyOff[i], tagKeyOff[i] + tagKeyLen[i], scratch, kOff, kOff + kLen)) {
                tagValOff[i] = vOff;
                tagValLen[i] = vLen;
                return true;
            }
        }
        if (tagCount == SeriesKey.MAX_TAGS) {
            return false;
        }
        tagKeyOff[tagCount] = kOff;
        tagKeyLen[tagCount] = kLen;
        tagValOff[tagCount] = vOff;
        tagValLen[tagCount++] = vLen;
        return true;
    }

    private boolean addField(int kOff, int kLen, double v) {
        for (int i = 0; i < fieldCount; i++) {
            if (Arrays.equals(scratch, fieldOff[i], fieldOff[i] + fieldLen[i], scratch, kOff, kOff + kLen)) {
                fieldValue[i] = v; // last one wins, as in InfluxDB
                return true;
            }
        }
        if (fieldCount == MAX_FIELDS) {
            return false;
        }
        fieldOff[fieldCount] = kOff;
        fieldLen[fieldCount] = kLen;
        fieldValue[fieldCount++] = v;
        return true;
    }

    /**
     * Copies an identifier into scratch, unescaping, up to an unescaped delimiter: comma or space,
     * and '=' too when {@code equalsEnds} (tag keys, tag values, field keys).
     */
    private int unescape(int p, int e, boolean equalsEnds) {
        ensureScratch(e - p);
        while (p < e) {
            byte b = buf[p];
            if (b == ',' || b == ' ' || (equalsEnds && b == '=')) {
                break;
            }
            if (b == '\\' && p + 1 < e) {
                byte n = buf[p + 1];
                if (n == ',' || n == ' ' || n == '\\' || (equalsEnds && n == '=')) {
                    scratch[scratchLen++] = n;
                    p += 2;
                    continue;
                }
            }
            scratch[scratchLen++] = b;
            p++;
        }
        return p;
    }

    /** Returns the position after the closing quote, or {@code -(position of the problem) - 1}. */
    private int skipString(int p, int e) {
        int open = p - 1;
        while (p < e) {
            byte b = buf[p];
            if (b == '\\' && p + 1 < e) {
                p += 2;
                continue;
            }
            if (b == '"') {
                p++;
                if (p < e && buf[p] != ',' && buf[p] != ' ') {
                    return -p - 1;
                }
                return p;
            }
            p++;
        }
        return -open - 1;
    }

    private double fieldValue(int s, int e) {
        byte c = buf[s];
        if (c == 't' || c == 'T' || c == 'f' || c == 'F') {
            // No number starts with a letter: booleans are decided before the i/u suffixes.
            if (e - s == 1) {
                return c == 't' || c == 'T' ? 1 : 0;
            }
            if (is(s, e, "true") || is(s, e, "True") || is(s, e, "TRUE")) {
                return 1;
            }
            if (is(s, e, "false") || is(s, e, "False") || is(s, e, "FALSE")) {
                return 0;
            }
            fail(s, "invalid boolean field value");
            return 0;
        }
        byte last = buf[e - 1];
        if (last == 'i') {
            long v = parseLong(s, e - 1);
            if (error != null) {
                error = error.equals("overflow") ? "integer field value out of range" : "invalid integer field value";
                errorAt = s;
            }
            return v;
        }
        if (last == 'u') {
            double v = parseUnsigned(s, e - 1);
            if (error != null) {
                errorAt = s;
            }
            return v;
        }
        double v = FloatParser.parse(buf, s, e);
        if (Double.isNaN(v)) {
            fail(s, "invalid float field value");
        }
        return v;
    }

    private boolean is(int s, int e, String word) {
        if (e - s != word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (buf[s + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A signed decimal long; sets {@link #error} to "invalid" or "overflow". */
    private long parseLong(int s, int e) {
        int p = s;
        boolean neg = false;
        if (p < e && (buf[p] == '-' || buf[p] == '+')) {
            neg = buf[p] == '-';
            p++;
        }
        if (p == e) {
            error = "invalid";
            errorAt = s;
            return 0;
        }
        long v = 0;
        for (; p < e; p++) {
            int d = buf[p] - '0';
            if (d < 0 || d > 9) {
                error = "invalid";
                errorAt = s;
                return 0;
            }
            // Accumulate negatively so Long.MIN_VALUE parses.
            if (v < (Long.MIN_VALUE + d) / 10) {
                error = "overflow";
                errorAt = s;
                return 0;
            }
            v = v * 10 - d;
        }
        if (!neg) {
            if (v == Long.MIN_VALUE) {
                error = "overflow";
                errorAt = s;
                return 0;
            }
            return -v;
        }
        return v;
    }

    private double parseUnsigned(int s, int e) {
        if (s == e) {
            error = "invalid unsigned field value";
            return 0;
        }
        long v = 0;
        for (int p = s; p < e; p++) {
            int d = buf[p] - '0';
            if (d < 0 || d > 9) {
                error = "invalid unsigned field value";
                return 0;
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                error = "unsigned field value out of range";
                return 0;
            }
            v = v * 10 + d;
        }
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    private long fail(int at, String reason) {
        if (error == null) {
            error = reason;
            errorAt = at;
        }
        return Long.MIN_VALUE;
    }

    private void ensureScratch(int more) {
        if (scratchLen + more > scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, scratchLen + more));
        }
    }
}
