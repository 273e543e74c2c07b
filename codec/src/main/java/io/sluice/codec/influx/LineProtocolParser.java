package io.sluice.codec.influx;

import io.sluice.codec.ParseError;
import io.sluice.codec.Parser;
import io.sluice.codec.Precision;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.util.Arrays;
import java.util.Objects;

/**
 * InfluxDB line protocol: {@code measurement[,tag=value...] field=value[,field=value...] [timestamp]}
 * (grammar and mapping in {@code package-info.java}).
 *
 * <p>One line at a time, validated whole before any of its samples is emitted, so a bad line gives
 * one {@link ParseError} and nothing else, and the next line is parsed as if it had not happened.
 * The good path creates no garbage: names are unescaped into a reused buffer, numbers are read
 * from the bytes ({@link FloatParser}, {@link Numbers}), and one {@link SeriesKey} is reused.
 * Each sample's key is named as written ({@link SeriesKey#deferred}): the line's measurement and
 * tags exactly as they appear, and the field's key as it appears, which together determine the
 * series (the parse of those bytes depends on nothing else). A sink that knows those bytes skips
 * building the key; otherwise the key is filled from this line on first use.
 * Not thread-safe: one instance per thread.
 */
public final class LineProtocolParser implements Parser<SampleSink> {
    /** Fields in one line; past this the line is rejected. Bounds the per-line buffers. */
    public static final int MAX_FIELDS = 1024;

    private static final int FAIL = -1;
    private static final byte[] UNDERSCORE = {'_'};

    /** False only in tests that compare the shortcuts with the general path. */
    private final boolean shortcuts;
    private final SeriesKey key = new SeriesKey();
    private final SeriesKey.Filler keys = new KeyFiller();
    private final Numbers numbers = new Numbers();
    /** Unescaped names of the current line: measurement, tag keys and values, field keys. */
    private byte[] scratch = new byte[1024];
    private int scratchLen;
    private int measOff, measLen;
    private final int[] tagKeyOff = new int[SeriesKey.MAX_TAGS], tagKeyLen = new int[SeriesKey.MAX_TAGS];
    private final int[] tagValOff = new int[SeriesKey.MAX_TAGS], tagValLen = new int[SeriesKey.MAX_TAGS];
    private int tagCount;
    /** The measurement and tags as written: from the line's first byte to the space before the fields. */
    private int prefixOff, prefixEnd;
    /** Each field's key as written (its first occurrence's), the rest of its sample's series. */
    private final int[] fieldRawOff = new int[MAX_FIELDS], fieldRawLen = new int[MAX_FIELDS];
    /** The field whose sample is being emitted: the one a deferred key is filled for. */
    private int emitting;
    private final int[] fieldOff = new int[MAX_FIELDS], fieldLen = new int[MAX_FIELDS], fieldHash = new int[MAX_FIELDS];
    private final double[] fieldValue = new double[MAX_FIELDS];
    /** False for a string field: valid, counted, not a sample. */
    private final boolean[] fieldNumeric = new boolean[MAX_FIELDS];
    private int fieldCount;
    private long time;

    private byte[] buf;
    /** The end of the buffer, and where the line being parsed ends (its LF, or the buffer's end). */
    private int end, eol;
    /** The end of the line's text (before a CR at its end); a newline inside a string moves it. */
    private int lineEnd;
    /** Newlines inside the strings of the point being parsed. */
    private int newlines;
    private int line;
    private boolean sawHighByte;
    private String error;
    private int errorAt;

    public LineProtocolParser() {
        this(true);
    }

    /** @param shortcuts false: every line by the general path (tests compare the two) */
    LineProtocolParser(boolean shortcuts) {
        this.shortcuts = shortcuts;
    }

    /** The 1-based number of the line being parsed, or the last one parsed. */
    @Override
    public int line() {
        return line;
    }

    /**
     * Parses every line of {@code buf[off, off+len)} with timestamps in nanoseconds, InfluxDB's
     * default (the UDP listener's; HTTP writes name their precision).
     *
     * @return samples emitted
     */
    @Override
    public int parse(byte[] buf, int off, int len, SampleSink sink) {
        return parse(buf, off, len, Precision.NANOSECONDS, sink);
    }

    /**
     * Parses every line of {@code buf[off, off+len)}. Lines are numbered from 1 in each call.
     *
     * @return samples emitted
     */
    public int parse(byte[] buf, int off, int len, Precision precision, SampleSink sink) {
        Objects.checkFromIndexSize(off, len, buf.length);
        Objects.requireNonNull(precision, "precision");
        this.buf = buf;
        line = 0;
        end = off + len;
        int pos = off;
        int emitted = 0;
        while (pos < end) {
            line++;
            endOfLine(pos);
            int first = line;
            emitted += parseLine(pos, precision, sink);
            line = first + newlines; // a point whose strings held newlines spans several lines
            pos = eol + 1;
        }
        this.buf = null;
        return emitted;
    }

    /** Sets {@link #eol} and {@link #lineEnd} for the line starting at {@code pos}. */
    private void endOfLine(int pos) {
        int n = Digits8.newline(buf, pos, end);
        eol = n;
        lineEnd = n > pos && buf[n - 1] == '\r' ? n - 1 : n;
        newlines = 0;
    }

    private int parseLine(int s, Precision precision, SampleSink sink) {
        int e = lineEnd;
        int p = s;
        while (p < e && buf[p] == ' ') { // the reference's whitespace is the space alone
            p++;
        }
        if (p == e) {
            return 0;
        }
        error = null;
        if (buf[p] == '#') {
            if (comment(p, e)) {
                return 0;
            }
            sink.error(new ParseError(line, errorAt - s + 1, error, ParseError.excerpt(buf, s, e - s)));
            return 0;
        }
        fieldCount = 0;
        if (!scan(p, e, precision)) {
            sink.error(new ParseError(line, errorAt - s + 1, error, ParseError.excerpt(buf, s, lineEnd - s)));
            return 0;
        }
        int emitted = 0;
        for (int f = 0; f < fieldCount; f++) {
            if (!fieldNumeric[f]) {
                sink.skippedField();
                continue;
            }
            emitting = f;
            key.deferred(keys, buf, prefixOff, prefixEnd - prefixOff, fieldRawOff[f], fieldRawLen[f], emitted > 0);
            sink.sample(key, time, fieldValue[f], SampleSink.NO_STEP);
            emitted++;
        }
        return emitted;
    }

    /** Fills the key of the field being emitted from the line's unescaped names. */
    private final class KeyFiller implements SeriesKey.Filler {
        @Override
        public void fill(SeriesKey k) {
            int f = emitting;
            k.reset().metric(scratch, measOff, measLen);
            if (!isValue(fieldOff[f], fieldLen[f])) {
                k.appendMetric(UNDERSCORE, 0, 1).appendMetric(scratch, fieldOff[f], fieldLen[f]);
            }
            for (int t = 0; t < tagCount; t++) {
                k.tag(scratch, tagKeyOff[t], tagKeyLen[t], scratch, tagValOff[t], tagValLen[t]);
            }
        }
    }

    /** A comment may hold no control character (the reference's grammar). */
    private boolean comment(int p, int e) {
        for (; p < e; p++) {
            if (isControl(buf[p])) {
                return failed(p, "control character " + hex(buf[p]) + " in a comment");
            }
        }
        return true;
    }

    /** Validates the line and fills the per-line buffers and {@link #time}; false with {@link #error} set. */
    private boolean scan(int p, int e, Precision precision) {
        prefixOff = p;
        int plain = shortcuts ? plainPrefix(p, e) : FAIL;
        if (plain != FAIL) {
            p = plain;
        } else {
            scratchLen = 0;
            tagCount = 0;
            p = measurement(p, e);
            while (p != FAIL && p < e && buf[p] == ',') {
                p = tag(p + 1, e);
            }
            if (p == FAIL) {
                return false;
            }
        }
        prefixEnd = p;
        // Here p is at the space before the fields, or at the end of the line.
        p = skipSpaces(p, e);
        if (p == e) {
            return failed(p, "missing fields");
        }
        p = fields(p, e);
        // A string holding a newline moved the end of the line.
        return p != FAIL && timestamp(p, lineEnd, precision);
    }

    /**
     * The measurement and tags in one pass when they are the common kind: printable ASCII, no
     * backslash, every name within its limit, no tag key twice, and a space after them. Their
     * bytes are then their names: copied into scratch at once, each name where it stands. Anything
     * else is {@link #FAIL} with nothing reported, and the general path reads the line and names
     * its error; on what this accepts, that path would find the same names (LineProtocolShortcutsTest).
     */
    private int plainPrefix(int p, int e) {
        int s = p;
        while (p < e && PLAIN_MEASUREMENT[buf[p] & 0xFF]) {
            p++;
        }
        if (p == s || p - s > SeriesKey.MAX_NAME_BYTES || p == e) {
            return FAIL;
        }
        measOff = 0;
        measLen = p - s;
        int tags = 0;
        while (buf[p] == ',') {
            int k = ++p;
            while (p < e && PLAIN_KEY_VALUE[buf[p] & 0xFF]) {
                p++;
            }
            int kLen = p - k;
            if (kLen == 0 || kLen > SeriesKey.MAX_NAME_BYTES || p == e || buf[p] != '=' || tags == SeriesKey.MAX_TAGS) {
                return FAIL;
            }
            int v = ++p;
            while (p < e && PLAIN_KEY_VALUE[buf[p] & 0xFF]) {
                p++;
            }
            int vLen = p - v;
            if (vLen == 0 || vLen > SeriesKey.MAX_TAG_VALUE_BYTES || p == e) { // an '=' after it fails below
                return FAIL;
            }
            for (int i = 0; i < tags; i++) {
                if (tagKeyLen[i] == kLen && Arrays.equals(buf, s + tagKeyOff[i], s + tagKeyOff[i] + kLen, buf, k, k + kLen)) {
                    return FAIL;
                }
            }
            tagKeyOff[tags] = k - s;
            tagKeyLen[tags] = kLen;
            tagValOff[tags] = v - s;
            tagValLen[tags++] = vLen;
        }
        if (buf[p] != ' ') {
            return FAIL;
        }
        int n = p - s;
        if (n > scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, n));
        }
        System.arraycopy(buf, s, scratch, 0, n);
        scratchLen = n;
        tagCount = tags;
        return p;
    }

    private int measurement(int p, int e) {
        if (buf[p] == ',') {
            return fail(p, "missing measurement");
        }
        int start = p;
        measOff = scratchLen;
        p = unescape(p, e, false, SeriesKey.MAX_NAME_BYTES);
        measLen = scratchLen - measOff;
        if (p == FAIL) {
            return fail(start, "measurement longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
        }
        if (p < e && isControl(buf[p])) {
            return fail(p, "control character " + hex(buf[p]) + " in the measurement");
        }
        return checkUtf8(start, measOff, measLen, "measurement") ? p : FAIL;
    }

    private int tag(int p, int e) {
        int ks = p;
        int kOff = scratchLen;
        p = unescape(p, e, true, SeriesKey.MAX_NAME_BYTES);
        int kLen = scratchLen - kOff;
        if (p == FAIL) {
            return fail(ks, "tag key longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
        }
        if (p < e && isControl(buf[p])) {
            return fail(p, "control character " + hex(buf[p]) + " in a tag key");
        }
        if (kLen == 0) {
            return fail(ks, "missing tag key");
        }
        if (!checkUtf8(ks, kOff, kLen, "tag key")) {
            return FAIL;
        }
        if (p == e || buf[p] != '=') {
            return fail(p, "missing '=' after tag key");
        }
        int vs = ++p;
        int vOff = scratchLen;
        p = unescape(p, e, true, SeriesKey.MAX_TAG_VALUE_BYTES);
        int vLen = scratchLen - vOff;
        if (p == FAIL) {
            return fail(vs, "tag value longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes");
        }
        if (p < e && isControl(buf[p])) {
            return fail(p, "control character " + hex(buf[p]) + " in a tag value");
        }
        if (vLen == 0) {
            return fail(vs, "missing tag value");
        }
        if (p < e && buf[p] == '=') {
            return fail(p, "unescaped '=' in tag value");
        }
        if (!checkUtf8(vs, vOff, vLen, "tag value")) {
            return FAIL;
        }
        for (int i = 0; i < tagCount; i++) {
            if (Arrays.equals(scratch, tagKeyOff[i], tagKeyOff[i] + tagKeyLen[i], scratch, kOff, kOff + kLen)) {
                // InfluxDB refuses these too ("duplicate tags"): which value would the series have?
                return fail(ks, "duplicate tag key");
            }
        }
        if (tagCount == SeriesKey.MAX_TAGS) {
            return fail(ks, "more than " + SeriesKey.MAX_TAGS + " tags");
        }
        tagKeyOff[tagCount] = kOff;
        tagKeyLen[tagCount] = kLen;
        tagValOff[tagCount] = vOff;
        tagValLen[tagCount++] = vLen;
        return p;
    }

    /** The field set, from its first key to the space before the timestamp or the end of the line. */
    private int fields(int p, int e) {
        while (true) {
            int ks = p;
            int kOff = scratchLen;
            p = unescape(p, e, true, SeriesKey.MAX_NAME_BYTES);
            int kLen = scratchLen - kOff;
            if (p == FAIL) {
                return fail(ks, "field key longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
            }
            if (p < e && isControl(buf[p])) {
                return fail(p, "control character " + hex(buf[p]) + " in a field key");
            }
            if (kLen == 0) {
                return fail(ks, "missing field key");
            }
            if (!checkUtf8(ks, kOff, kLen, "field key")) {
                return FAIL;
            }
            if (p == e || buf[p] != '=') {
                return fail(p, "missing '=' after field key");
            }
            int rawLen = p - ks;
            p++;
            if (p == e || buf[p] == ' ' || buf[p] == ',') {
                return fail(p, "missing field value");
            }
            int vs = p;
            boolean numeric = buf[p] != '"';
            double v = 0;
            if (numeric) {
                // Mostly a plain decimal: read as its end is looked for. Anything else (an
                // exponent, an integer, a boolean, an error) is read once its end is found.
                int digits = buf[p] == '-' ? p + 1 : p;
                long run = shortcuts ? FloatParser.plainRun(buf, digits, e) : -1;
                int end = digits + FloatParser.runLength(run);
                if (run >= 0 && (end == e || buf[end] == ',' || buf[end] == ' ')) {
                    v = FloatParser.plainValue(run, digits > p);
                    p = end;
                } else {
                    while (p < e && buf[p] != ',' && buf[p] != ' ') {
                        p++;
                    }
                    v = fieldValue(vs, p);
                    if (error != null) {
                        return FAIL;
                    }
                }
                if (!isValue(kOff, kLen) && measLen + 1 + kLen > SeriesKey.MAX_NAME_BYTES) {
                    return fail(ks, "metric name measurement_field longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
                }
            } else {
                p = skipString(p, e);
                if (p == FAIL) {
                    return FAIL;
                }
                e = lineEnd;
            }
            if (!addField(ks, rawLen, kOff, kLen, numeric, v)) {
                return FAIL;
            }
            if (p == e || buf[p] == ' ') {
                return p;
            }
            p++; // the comma; a missing key after it is reported by the next round
        }
    }

    private boolean addField(int ks, int rawLen, int kOff, int kLen, boolean numeric, double v) {
        // The hash keeps the duplicate search cheap on the widest lines (MAX_FIELDS squared). The
        // first field's waits for a second one: most lines have one field and need no search.
        int h = 0;
        int i = 0;
        if (fieldCount > 0) {
            if (fieldCount == 1) {
                fieldHash[0] = nameHash(fieldOff[0], fieldLen[0]);
            }
            h = nameHash(kOff, kLen);
            while (i < fieldCount && (fieldHash[i] != h
                    || !Arrays.equals(scratch, fieldOff[i], fieldOff[i] + fieldLen[i], scratch, kOff, kOff + kLen))) {
                i++;
            }
        }
        // A key given twice: the last value wins, as InfluxDB keeps it (its fields are a map).
        if (i == fieldCount) {
            if (fieldCount == MAX_FIELDS) {
                return failed(ks, "more than " + MAX_FIELDS + " fields");
            }
            fieldOff[i] = kOff;
            fieldLen[i] = kLen;
            fieldRawOff[i] = ks;
            fieldRawLen[i] = rawLen;
            fieldHash[i] = h;
            fieldCount++;
        }
        fieldNumeric[i] = numeric;
        fieldValue[i] = v;
        return true;
    }

    private int nameHash(int off, int len) {
        int h = 1;
        for (int j = off; j < off + len; j++) {
            h = 31 * h + scratch[j];
        }
        return h;
    }

    private boolean timestamp(int p, int e, Precision precision) {
        p = skipSpaces(p, e);
        if (p == e) {
            time = SampleSink.NO_TIME;
            return true;
        }
        int ts = p;
        // Mostly the timestamp runs to the end of the line: read it so, and only when that fails
        // look for its end (a number that parses to the end has no space in it).
        long t = numbers.parseLong(buf, ts, e);
        if (numbers.status == Numbers.OK) {
            return time(t, ts, precision);
        }
        while (p < e && buf[p] != ' ') {
            p++;
        }
        int te = p;
        p = skipSpaces(p, e);
        t = numbers.parseLong(buf, ts, te);
        if (numbers.status != Numbers.OK) {
            return failed(ts, numbers.status == Numbers.OVERFLOW ? "timestamp out of range" : "invalid timestamp");
        }
        if (p < e) {
            return failed(p, "unexpected text after the timestamp");
        }
        return time(t, ts, precision);
    }

    private boolean time(long t, int ts, Precision precision) {
        time = precision.toMicros(t);
        if (time == Long.MIN_VALUE) { // also NO_TIME: a timestamp must not mean "none"
            return failed(ts, "timestamp out of range");
        }
        return true;
    }

    /** A numeric or boolean field value in {@code buf[s, e)}; on failure sets {@link #error}. */
    private double fieldValue(int s, int e) {
        byte c = buf[s];
        if (c == 't' || c == 'T' || c == 'f' || c == 'F') {
            int b = Numbers.parseBoolean(buf, s, e);
            if (b < 0) {
                fail(s, looksNonFinite(s, e) ? "NaN and Infinity are not valid field values" : "invalid boolean field value");
            }
            return b;
        }
        if (c != '-' && c != '.' && (c < '0' || c > '9')) {
            fail(s, looksNonFinite(s, e) ? "NaN and Infinity are not valid field values"
                    : c == '+' ? "invalid field value: a number cannot start with '+'"
                    : "invalid field value: not a number, boolean or string");
            return 0;
        }
        byte last = buf[e - 1];
        if (last == 'i') {
            long v = numbers.parseLong(buf, s, e - 1);
            if (numbers.status != Numbers.OK) {
                fail(s, numbers.status == Numbers.OVERFLOW ? "integer field value out of range" : "invalid integer field value");
            }
            return v;
        }
        if (last == 'u') {
            double v = numbers.parseUnsigned(buf, s, e - 1);
            if (numbers.status != Numbers.OK) {
                fail(s, numbers.status == Numbers.OVERFLOW ? "unsigned field value out of range" : "invalid unsigned field value");
            }
            return v;
        }
        double v = FloatParser.parse(buf, s, e);
        if (Double.isNaN(v)) {
            fail(s, looksNonFinite(s, e) ? "NaN and Infinity are not valid field values" : "invalid float field value");
        } else if (Double.isInfinite(v)) {
            fail(s, "float field value out of range");
        }
        return v;
    }

    /** Only on the error path: NaN, Inf, Infinity, any case, optional sign. */
    private boolean looksNonFinite(int s, int e) {
        int p = s < e && (buf[s] == '-' || buf[s] == '+') ? s + 1 : s;
        return Numbers.equalsIgnoreCase(buf, p, e, "nan") || Numbers.equalsIgnoreCase(buf, p, e, "inf")
                || Numbers.equalsIgnoreCase(buf, p, e, "infinity");
    }

    /**
     * Skips a string field value (validated, never stored): {@code \"} and {@code \\} are its
     * escapes, a backslash before anything else is itself. A newline inside it is part of it, as in
     * the reference and InfluxDB: then the point goes on past that line, and {@link #lineEnd}
     * moves to the end of the line where the string closes. A string that never closes is an
     * error of its own line only, and parsing goes on with the next line. Returns the position
     * after the closing quote.
     */
    private int skipString(int p, int e) {
        int open = p++;
        boolean high = false;
        while (p < e) {
            byte b = buf[p];
            if (b == '\\' && p + 1 < e) {
                p += 2;
                continue;
            }
            if (b == '"') {
                return afterString(open, p, high);
            }
            high |= b < 0;
            p++;
        }
        return e < end ? stringPastTheLine(open, p, high) : fail(open, "unterminated string field value");
    }

    /** The rare case: no closing quote before the end of the line; look past it. */
    private int stringPastTheLine(int open, int p, boolean high) {
        int newlinesSeen = 0;
        while (p < end) {
            byte b = buf[p];
            if (b == '\\' && p + 1 < end) {
                newlinesSeen += buf[p + 1] == '\n' ? 1 : 0;
                p += 2;
                continue;
            }
            if (b == '"') {
                newlines += newlinesSeen;
                endOfLineAfter(p);
                return afterString(open, p, high);
            }
            newlinesSeen += b == '\n' ? 1 : 0;
            high |= b < 0;
            p++;
        }
        return fail(open, "unterminated string field value");
    }

    /** The line goes on after a string that closed at {@code quote}: its end is the next LF. */
    private void endOfLineAfter(int quote) {
        int n = Digits8.newline(buf, quote + 1, end);
        eol = n;
        lineEnd = n > quote + 1 && buf[n - 1] == '\r' ? n - 1 : n;
    }

    private int afterString(int open, int quote, boolean high) {
        int p = quote + 1;
        if (high && !Numbers.isUtf8(buf, open + 1, quote)) {
            return fail(open, "invalid UTF-8 in a string field value");
        }
        if (p < lineEnd && buf[p] != ',' && buf[p] != ' ') {
            return fail(p, "expected ',' or ' ' after a string field value");
        }
        return p;
    }

    /**
     * Copies a name into scratch, unescaping, up to an unescaped delimiter: comma or space, and '='
     * too in tag keys, tag values and field keys ({@code inKeyValue}). Backslash escapes exactly
     * those delimiters; before anything else, itself included, it is a literal backslash — line
     * protocol has no escaped backslash, so a name cannot end with one.
     *
     * @return the position of the delimiter (or e), or FAIL when the name passes {@code limit} bytes
     */
    private int unescape(int p, int e, boolean inKeyValue, int limit) {
        if (scratchLen + limit + 1 > scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, scratchLen + limit + 1));
        }
        // Most names have no backslash and are short: copy as the end is looked for (a copy call
        // per name cost more than the bytes), and stop one past the limit.
        boolean[] stops = inKeyValue ? STOP_KEY_VALUE : STOP_MEASUREMENT;
        byte[] to = scratch;
        int start = p;
        int at = scratchLen - start;
        int stop = Math.min(e, start + limit + 1);
        boolean high = false;
        while (p < stop) {
            byte b = buf[p];
            if (stops[b & 0xFF]) {
                break;
            }
            high |= b < 0;
            to[at + p] = b;
            p++;
        }
        int n = p - start;
        if (n > limit) {
            return FAIL;
        }
        scratchLen += n;
        if (p < e && buf[p] == '\\') {
            return unescapeRest(p, e, inKeyValue, limit - n, high);
        }
        sawHighByte = high;
        return p;
    }

    /** The rest of a name from its first backslash on, byte by byte. */
    private int unescapeRest(int p, int e, boolean inKeyValue, int limit, boolean high) {
        int max = scratchLen + limit;
        while (p < e) {
            byte b = buf[p];
            if (b == ',' || b == ' ' || (inKeyValue && b == '=') || isControl(b)) {
                break;
            }
            if (b == '\\' && p + 1 < e) {
                byte n = buf[p + 1];
                if (n == ',' || n == ' ' || (inKeyValue && n == '=')) {
                    b = n;
                    p++;
                }
            }
            if (scratchLen == max) {
                return FAIL;
            }
            high |= b < 0;
            scratch[scratchLen++] = b;
            p++;
        }
        sawHighByte = high;
        return p;
    }

    private static final boolean[] PLAIN_MEASUREMENT = plain(",\\ ");
    private static final boolean[] PLAIN_KEY_VALUE = plain(",\\ =");
    private static final boolean[] STOP_MEASUREMENT = stops(",\\ ");
    private static final boolean[] STOP_KEY_VALUE = stops(",\\ =");

    /** The delimiters, and every control character: names stop there (and the caller refuses it). */
    private static boolean[] stops(String chars) {
        boolean[] t = new boolean[256];
        for (char c : chars.toCharArray()) {
            t[c] = true;
        }
        for (int c = 0; c < 0x20; c++) {
            t[c] = true;
        }
        t[0x7F] = true;
        return t;
    }

    /** Printable ASCII but {@code except}: the bytes of names the one-pass prefix takes. */
    private static boolean[] plain(String except) {
        boolean[] t = new boolean[256];
        for (int c = 0x21; c < 0x7F; c++) {
            t[c] = except.indexOf(c) < 0;
        }
        return t;
    }

    /** The reference's nonprintable characters: none may appear in a name (nor unescaped elsewhere). */
    private static boolean isControl(byte b) {
        return (b >= 0 && b < 0x20) || b == 0x7F;
    }

    private static String hex(byte b) {
        return String.format("0x%02X", b & 0xFF);
    }

    /** Names become PostgreSQL text: refuse bytes that are not UTF-8 rather than store U+FFFD. */
    private boolean checkUtf8(int at, int off, int len, String what) {
        if (sawHighByte && !Numbers.isUtf8(scratch, off, off + len)) {
            return failed(at, "invalid UTF-8 in " + what);
        }
        return true;
    }

    private boolean isValue(int off, int len) {
        return len == 5 && scratch[off] == 'v' && scratch[off + 1] == 'a' && scratch[off + 2] == 'l'
                && scratch[off + 3] == 'u' && scratch[off + 4] == 'e';
    }

    private int skipSpaces(int p, int e) {
        while (p < e && buf[p] == ' ') {
            p++;
        }
        return p;
    }

    private boolean failed(int at, String reason) {
        fail(at, reason);
        return false;
    }

    /** Records the first problem of the line (the reason is a constant on most paths). */
    private int fail(int at, String reason) {
        if (error == null) {
            error = reason;
            errorAt = at;
        }
        return FAIL;
    }
}
