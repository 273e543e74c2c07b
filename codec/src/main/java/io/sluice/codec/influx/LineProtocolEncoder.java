package io.sluice.codec.influx;

import io.sluice.codec.Precision;

import java.util.Map;

/**
 * Writes line protocol, escaping as {@link LineProtocolParser} unescapes. Used by property tests
 * (encode, parse, compare) and the load harness; not on Sluice's ingest path.
 */
public final class LineProtocolEncoder {
    private LineProtocolEncoder() {
    }

    /**
     * Appends one line with one float field and a trailing newline.
     *
     * @param timeMicros the time, written in {@code precision} (truncated); or
     *                   {@link io.sluice.codec.SampleSink#NO_TIME} for none
     */
    public static StringBuilder appendLine(StringBuilder sb, String measurement, Map<String, String> tags,
                                           String field, double value, long timeMicros, Precision precision) {
        escape(sb, measurement, false);
        for (Map.Entry<String, String> t : tags.entrySet()) {
            sb.append(',');
            escape(sb, t.getKey(), true);
            sb.append('=');
            escape(sb, t.getValue(), true);
        }
        sb.append(' ');
        escape(sb, field, true);
        sb.append('=');
        // Double.toString gives the shortest text that reads back to the same double.
        sb.append(Double.toString(value));
        if (timeMicros != io.sluice.codec.SampleSink.NO_TIME) {
            sb.append(' ').append(fromMicros(timeMicros, precision));
        }
        return sb.append('\n');
    }

    static long fromMicros(long micros, Precision p) {
        return switch (p) {
            case NANOSECONDS -> micros * 1000;
            case MICROSECONDS -> micros;
            case MILLISECONDS -> Math.floorDiv(micros, 1_000L);
            case SECONDS -> Math.floorDiv(micros, 1_000_000L);
            case MINUTES -> Math.floorDiv(micros, 60_000_000L);
            case HOURS -> Math.floorDiv(micros, 3_600_000_000L);
        };
    }

    /** Escapes comma, space and backslash, plus '=' outside measurements. */
    public static void escape(StringBuilder sb, String s, boolean equals) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == ' ' || c == '\\' || (equals && c == '=')) {
                sb.append('\\');
            }
            sb.append(c);
        }
    }
}
