package io.sluice.codec.influx;

import io.sluice.codec.DoubleText;
import io.sluice.codec.Precision;
import io.sluice.codec.SampleSink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes line protocol that {@link LineProtocolParser} (and InfluxDB) reads back to the same
 * names and values. For property tests and the load generator; not on Sluice's ingest path, so
 * it throws {@link IllegalArgumentException} for what line protocol cannot carry:
 * <ul>
 *   <li>an empty name or tag value, or one holding a control character (0x00-0x1F, 0x7F: the
 *       reference grammar's nonprintable characters, newline and tab included);</li>
 *   <li>a name or tag value ending with a backslash (line protocol has no escaped backslash, so
 *       the backslash would escape the delimiter after it);</li>
 *   <li>a measurement starting with '#' (a comment);</li>
 *   <li>a NaN or infinite value, a time that does not fit the precision.</li>
 * </ul>
 * Field values: {@link Double}/{@link Float} as floats (shortest text that reads back to the same
 * double), {@link Long}/{@link Integer}/{@link Short}/{@link Byte} as integers ({@code 12i}),
 * {@link Boolean} as {@code t}/{@code f}, {@link CharSequence} as a quoted string.
 */
public final class LineProtocolEncoder {
    private LineProtocolEncoder() {
    }

    /**
     * Appends one line with one field and a trailing newline.
     *
     * @param timeMicros the time, written in {@code precision} rounded down; or
     *                   {@link SampleSink#NO_TIME} for none
     */
    public static StringBuilder appendLine(StringBuilder sb, String measurement, Map<String, String> tags,
                                           String field, double value, long timeMicros, Precision precision) {
        return appendLine(sb, measurement, tags, Map.of(field, value), timeMicros, precision);
    }

    /** Appends one line with every field of {@code fields}, in the map's order, and a newline. */
    public static StringBuilder appendLine(StringBuilder sb, String measurement, Map<String, String> tags,
                                           Map<String, ?> fields, long timeMicros, Precision precision) {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a line needs at least one field");
        }
        checkName(measurement, "measurement");
        if (measurement.charAt(0) == '#') {
            throw new IllegalArgumentException("a measurement cannot start with '#': " + measurement);
        }
        escape(sb, measurement, false);
        for (Map.Entry<String, String> t : tags.entrySet()) {
            sb.append(',');
            escape(sb, checkName(t.getKey(), "tag key"), true);
            sb.append('=');
            escape(sb, checkName(t.getValue(), "tag value"), true);
        }
        char sep = ' ';
        for (Map.Entry<String, ?> f : fields.entrySet()) {
            sb.append(sep);
            sep = ',';
            escape(sb, checkName(f.getKey(), "field key"), true);
            sb.append('=');
            appendValue(sb, f.getKey(), f.getValue());
        }
        if (timeMicros != SampleSink.NO_TIME) {
            sb.append(' ').append(fromMicros(timeMicros, precision));
        }
        return sb.append('\n');
    }

    /** The same line as {@link #appendLine(StringBuilder, String, Map, String, double, long, Precision)}, as UTF-8 bytes. */
    public static void appendLine(ByteBuffer dst, String measurement, Map<String, String> tags,
                                  String field, double value, long timeMicros, Precision precision) {
        // The load generator builds its payloads before it starts timing, so a String here is fine.
        StringBuilder sb = new StringBuilder(64);
        appendLine(sb, measurement, tags, field, value, timeMicros, precision);
        dst.put(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A time in microseconds as a timestamp in {@code precision}, rounded down. */
    public static long fromMicros(long micros, Precision precision) {
        return switch (precision) {
            case NANOSECONDS -> {
                if (Math.abs(micros) > Long.MAX_VALUE / 1000) {
                    throw new IllegalArgumentException("time " + micros + " us does not fit in nanoseconds");
                }
                yield micros * 1000;
            }
            case MICROSECONDS -> micros;
            case MILLISECONDS -> Math.floorDiv(micros, 1_000L);
            case SECONDS -> Math.floorDiv(micros, 1_000_000L);
            case MINUTES -> Math.floorDiv(micros, 60_000_000L);
            case HOURS -> Math.floorDiv(micros, 3_600_000_000L);
        };
    }

    /**
     * Escapes a name: comma and space always, '=' too in tag keys, tag values and field keys
     * ({@code inKeyValue}). Backslashes are written as they are: the parser reads a backslash
     * before anything but those delimiters as itself.
     */
    public static StringBuilder escape(StringBuilder sb, String name, boolean inKeyValue) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ',' || c == ' ' || (inKeyValue && c == '=')) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb;
    }

    private static void appendValue(StringBuilder sb, String key, Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("field " + key + ": line protocol has no NaN or infinity");
            }
            // The shortest text that reads back to the same double (Java 17's Double.toString is not always).
            byte[] digits = new byte[DoubleText.MAX_LENGTH];
            int n = DoubleText.write(d, digits, 0);
            for (int i = 0; i < n; i++) {
                sb.append((char) digits[i]);
            }
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            sb.append(((Number) v).longValue()).append('i');
        } else if (v instanceof Boolean b) {
            sb.append(b ? 't' : 'f');
        } else if (v instanceof CharSequence s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append('"');
        } else {
            throw new IllegalArgumentException("field " + key + ": cannot write a " + (v == null ? "null" : v.getClass().getName()));
        }
    }

    private static String checkName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " cannot be empty");
        }
        if (name.charAt(name.length() - 1) == '\\') {
            throw new IllegalArgumentException(what + " cannot end with a backslash: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                throw new IllegalArgumentException(what + " cannot contain a control character (0x"
                        + String.format("%02X", (int) c) + "): " + name);
            }
        }
        return name;
    }
}
