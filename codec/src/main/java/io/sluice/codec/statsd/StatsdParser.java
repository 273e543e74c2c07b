package io.sluice.codec.statsd;

import io.sluice.codec.ParseError;
import io.sluice.codec.Parser;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.influx.FloatParser;
import io.sluice.codec.influx.Numbers;

import java.util.Objects;

/**
 * StatsD and DogStatsD lines (grammar and mapping in {@code package-info.java}).
 *
 * <p>One line at a time, validated whole before any of its values is given to the sink, so a bad
 * line gives one {@link ParseError} and nothing else, and the next line is parsed as if it had not
 * happened. The good path creates no garbage: the name and tags are copied into a reused buffer,
 * numbers are read from the bytes, and one {@link SeriesKey} is reused. Not thread-safe: one
 * instance per thread.
 */
public final class StatsdParser implements Parser<StatsdSink> {
    /** The longest line accepted by default: a UDP datagram's largest payload. */
    public static final int DEFAULT_MAX_LINE = 65_536;

    private static final int FAIL = -1;
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};

    private final int maxLine;
    private final SeriesKey key = new SeriesKey();
    private final StatsdLine parsed = new StatsdLine();

    private byte[] buf;
    private int line;
    private String error;
    private int errorAt;

    public StatsdParser() {
        this(DEFAULT_MAX_LINE);
    }

    /** @param maxLine longest line in bytes; a longer one is one error */
    public StatsdParser(int maxLine) {
        if (maxLine < 16) {
            throw new IllegalArgumentException("maxLine must be at least 16 bytes, got " + maxLine);
        }
        this.maxLine = maxLine;
    }

    /** The 1-based number of the line being parsed, or the last one parsed. */
    @Override
    public int line() {
        return line;
    }

    /**
     * Parses every line of {@code buf[off, off+len)}. Lines are numbered from 1 in each call.
     *
     * @return values given to the sink
     */
    @Override
    public int parse(byte[] buf, int off, int len, StatsdSink sink) {
        Objects.checkFromIndexSize(off, len, buf.length);
        this.buf = buf;
        line = 0;
        int end = off + len;
        int pos = off;
        int emitted = 0;
        while (pos < end) {
            line++;
            int eol = pos;
            while (eol < end && buf[eol] != '\n') {
                eol++;
            }
            emitted += parseLine(pos, eol, sink);
            pos = eol + 1;
        }
        this.buf = null;
        return emitted;
    }

    private int parseLine(int s, int e, StatsdSink sink) {
        int from = s;
        while (s < e && isSpace(buf[s])) {
            s++;
        }
        while (e > s && (isSpace(buf[e - 1]) || buf[e - 1] == '\r')) {
            e--;
        }
        if (s == e) {
            return 0;
        }
        if (e - s > maxLine) {
            sink.error(new ParseError(line, s - from + 1, "line longer than " + maxLine + " bytes",
                    ParseError.excerpt(buf, s, e - s)));
            return 0;
        }
        if (startsWith(s, e, "_e{")) {
            sink.skipped(StatsdSink.Skipped.EVENT);
            return 0;
        }
        if (startsWith(s, e, "_sc|")) {
            sink.skipped(StatsdSink.Skipped.SERVICE_CHECK);
            return 0;
        }
        parsed.clear();
        error = null;
        if (!scan(s, e)) {
            sink.error(new ParseError(line, errorAt - from + 1, error, ParseError.excerpt(buf, s, e - s)));
            return 0;
        }
        return parsed.emit(key, buf, sink);
    }

    /** Validates the line and fills the per-line buffers; false with {@link #error} set. */
    private boolean scan(int s, int e) {
        int p = bucket(s, e);
        while (p != FAIL) {
            p = group(p + 1, e);
            if (p == e) {
                return true;
            }
        }
        return false;
    }

    /** The name and its Influx-style tags up to the ':' before the first value; returns the ':'. */
    private int bucket(int s, int e) {
        int p = s;
        while (p < e && buf[p] != ':' && buf[p] != ',' && buf[p] != '|') {
            p++;
        }
        if (p == s) {
            return fail(s, "missing metric name");
        }
        if (p - s > SeriesKey.MAX_NAME_BYTES) {
            return fail(s, "metric name longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
        }
        if (!checkUtf8(s, parsed.name(buf, s, p), p - s, "metric name")) {
            return FAIL;
        }
        while (p < e && buf[p] == ',') {
            p = bucketTag(p + 1, e);
            if (p == FAIL) {
                return FAIL;
            }
        }
        if (p == e || buf[p] != ':') {
            return fail(p, "missing ':' and value after the metric name");
        }
        return p;
    }

    /** {@code key=value} after a ',' in the bucket (Telegraf's Influx-style tags). */
    private int bucketTag(int s, int e) {
        int p = s;
        while (p < e && buf[p] != '=' && buf[p] != ',' && buf[p] != ':' && buf[p] != '|') {
            p++;
        }
        if (p == s) {
            return fail(s, "missing tag key");
        }
        if (p == e || buf[p] != '=') {
            return fail(p, "missing '=' after tag key");
        }
        int vs = p + 1;
        int ve = vs;
        while (ve < e && buf[ve] != ',' && buf[ve] != ':' && buf[ve] != '|') {
            ve++;
        }
        if (ve == vs) {
            return fail(vs, "missing tag value");
        }
        return addTag(s, p, vs, ve) ? ve : FAIL;
    }

    /**
     * One {@code values|type[|@rate][|#tags][|other]} group; returns the ':' that starts the next
     * group (Telegraf's {@code name:1|c:2|ms}), or e.
     */
    private int group(int s, int e) {
        int p = s;
        while (p < e && buf[p] != '|') {
            p++;
        }
        if (p == e) {
            return fail(p, "missing '|' and metric type after the value");
        }
        int valuesEnd = p;
        int ts = ++p;
        while (p < e && buf[p] != '|' && buf[p] != ':') {
            p++;
        }
        StatsdType type = StatsdType.of(buf, ts, p);
        if (type == null) {
            return fail(ts, ts == p ? "missing metric type" : "unknown metric type '" + text(ts, p)
                    + "' (c, g, ms, h, d or s)");
        }
        int g = parsed.group(type);
        if (!values(s, valuesEnd, type)) {
            return FAIL;
        }
        while (p < e && buf[p] == '|') {
            p = field(p + 1, e, g);
            if (p == FAIL) {
                return FAIL;
            }
        }
        return p;
    }

    /** One field after the type: {@code @rate}, {@code #tags}, or another one, skipped. */
    private int field(int s, int e, int g) {
        if (s == e || buf[s] == '|') {
            return fail(s, "empty field after '|'");
        }
        if (buf[s] == '@') {
            int p = s + 1;
            while (p < e && buf[p] != '|' && buf[p] != ':') {
                p++;
            }
            double rate = FloatParser.parse(buf, s + 1, p);
            if (!(rate > 0 && rate <= 1)) {
                return fail(s, "invalid sample rate '" + text(s, p) + "': a number in (0, 1] expected");
            }
            parsed.rate(g, rate);
            return p;
        }
        if (buf[s] == '#') {
            return dogTags(s + 1, e);
        }
        // DogStatsD's c:container-id, T<timestamp>, e:..., card:... and later fields: valid, ignored.
        int p = s;
        while (p < e && buf[p] != '|') {
            p++;
        }
        return p;
    }

    /** {@code k:v,k2:v2,flag}: a tag without a value is "true", as Telegraf stores it. */
    private int dogTags(int s, int e) {
        int p = s;
        while (true) {
            int ts = p;
            int colon = -1;
            while (p < e && buf[p] != ',' && buf[p] != '|') {
                if (colon < 0 && buf[p] == ':') {
                    colon = p;
                }
                p++;
            }
            if (p > ts) {
                int ke = colon < 0 ? p : colon;
                if (ke == ts) {
                    return fail(ts, "missing tag key in '#' tags");
                }
                if (!addTag(ts, ke, colon < 0 ? p : colon + 1, p)) {
                    return FAIL;
                }
            }
            if (p == e || buf[p] == '|') {
                return p;
            }
            p++;
        }
    }

    /** Adds a tag from {@code buf}: key {@code [ks, ke)}, value {@code [vs, ve)} (empty means "true"). */
    private boolean addTag(int ks, int ke, int vs, int ve) {
        if (ke - ks > SeriesKey.MAX_NAME_BYTES) {
            return failed(ks, "tag key longer than " + SeriesKey.MAX_NAME_BYTES + " bytes");
        }
        if (ve - vs > SeriesKey.MAX_TAG_VALUE_BYTES) {
            return failed(vs, "tag value longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes");
        }
        if (parsed.tagCount == StatsdLine.MAX_TAGS) {
            return failed(ks, "more than " + StatsdLine.MAX_TAGS + " tags");
        }
        int kOff = parsed.append(buf, ks, ke - ks);
        if (!checkUtf8(ks, kOff, ke - ks, "tag key")) {
            return false;
        }
        int vOff;
        int vLen;
        if (ve == vs) {
            vOff = parsed.append(TRUE, 0, TRUE.length);
            vLen = TRUE.length;
        } else {
            vOff = parsed.append(buf, vs, ve - vs);
            vLen = ve - vs;
            if (!checkUtf8(vs, vOff, vLen, "tag value")) {
                return false;
            }
        }
        parsed.tag(kOff, ke - ks, vOff, vLen);
        return true;
    }

    /**
     * The values before the '|': one set member (anything, ':' included), or numbers separated
     * by ':' (DogStatsD 1.1 value packing).
     */
    private boolean values(int s, int e, StatsdType type) {
        if (type == StatsdType.SET) {
            if (s == e) {
                return failed(s, "missing set member");
            }
            parsed.member(s, e - s);
            return true;
        }
        int p = s;
        while (true) {
            int vs = p;
            while (p < e && buf[p] != ':') {
                p++;
            }
            if (!number(vs, p, type)) {
                return false;
            }
            if (p == e) {
                return true;
            }
            p++;
        }
    }

    private boolean number(int s, int e, StatsdType type) {
        if (s == e) {
            return failed(s, "missing value");
        }
        boolean signed = buf[s] == '+' || buf[s] == '-';
        int from = s;
        if (buf[s] == '+') {
            if (type != StatsdType.GAUGE && type != StatsdType.COUNTER) {
                return failed(s, "a '+' sign is only valid for gauges and counters");
            }
            from++;
        }
        double v = FloatParser.parse(buf, from, e);
        if (Double.isNaN(v)) {
            return failed(s, "invalid value '" + text(s, e) + "': not a number");
        }
        if (Double.isInfinite(v)) {
            return failed(s, "value out of range");
        }
        // statsd: a signed gauge value changes the gauge; there is no way to set a negative one directly.
        parsed.value(v, signed && type == StatsdType.GAUGE);
        return true;
    }

    /** Names become PostgreSQL text: refuse bytes that are not UTF-8 rather than store U+FFFD. */
    private boolean checkUtf8(int at, int off, int len, String what) {
        byte[] scratch = parsed.scratch;
        for (int i = off; i < off + len; i++) {
            if (scratch[i] < 0) {
                return Numbers.isUtf8(scratch, off, off + len) || failed(at, "invalid UTF-8 in " + what);
            }
        }
        return true;
    }

    private boolean startsWith(int s, int e, String prefix) {
        if (e - s < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (buf[s + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    /** Only on the error path. */
    private String text(int s, int e) {
        return ParseError.excerpt(buf, s, Math.min(e - s, 40));
    }

    private boolean failed(int at, String reason) {
        fail(at, reason);
        return false;
    }

    /** Records the first problem of the line. */
    private int fail(int at, String reason) {
        if (error == null) {
            error = reason;
            errorAt = at;
        }
        return FAIL;
    }
}
