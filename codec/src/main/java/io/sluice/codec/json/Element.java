package io.sluice.codec.json;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/** The fields of one JSON element as read, checked by {@link #validate()} before it is emitted. */
final class Element {
    String metric;
    double value;
    boolean hasValue;
    long step;
    Object time;
    Object timestamp;
    String route;
    String method;
    String status;
    boolean isApi;
    String[] tagKeys = new String[8];
    String[] tagValues = new String[8];
    int tagCount;
    private String problem;
    long timeMicros;
    long timestampMicros;

    void reset() {
        metric = null;
        hasValue = false;
        step = SampleSink.NO_STEP;
        time = null;
        timestamp = null;
        route = null;
        method = null;
        status = null;
        isApi = false;
        Arrays.fill(tagKeys, 0, tagCount, null);
        Arrays.fill(tagValues, 0, tagCount, null);
        tagCount = 0;
        problem = null;
    }

    boolean hasAny() {
        return metric != null || hasValue || isApi || time != null;
    }

    void problem(String p) {
        if (problem == null) {
            problem = p;
        }
    }

    void tag(String k, String v) {
        if (tagCount == tagKeys.length) {
            if (tagCount >= SeriesKey.MAX_TAGS + 1) {
                return; // already over the limit; validate() says so
            }
            tagKeys = Arrays.copyOf(tagKeys, tagCount * 2);
            tagValues = Arrays.copyOf(tagValues, tagCount * 2);
        }
        tagKeys[tagCount] = k;
        tagValues[tagCount++] = v;
    }

    /** @return null when the element can be emitted, else the reason */
    String validate() {
        if (problem != null) {
            return problem;
        }
        if (isApi) {
            if (route == null || route.isEmpty()) {
                return "route: missing";
            }
            if (!(time instanceof Number)) {
                return "time: missing or not a number (the call's duration in milliseconds)";
            }
            if (!Double.isFinite(((Number) time).doubleValue())) {
                return "time: not a finite number";
            }
            timestampMicros = micros(timestamp, "timestamp");
            if (problem != null) {
                return problem;
            }
            return checkNames(route, method, status);
        }
        if (metric == null || metric.isEmpty()) {
            return "metric: missing";
        }
        if (!hasValue) {
            return "value: missing";
        }
        timeMicros = micros(time, "time");
        if (problem != null) {
            return problem;
        }
        if (utf8(metric) > SeriesKey.MAX_NAME_BYTES) {
            return "metric: longer than " + SeriesKey.MAX_NAME_BYTES + " bytes";
        }
        return checkNames(null, null, null);
    }

    private String checkNames(String... extra) {
        if (tagCount > SeriesKey.MAX_TAGS) {
            return "tags: more than " + SeriesKey.MAX_TAGS;
        }
        for (int i = 0; i < tagCount; i++) {
            if (tagKeys[i].isEmpty()) {
                return "tags: empty key";
            }
            if (utf8(tagKeys[i]) > SeriesKey.MAX_NAME_BYTES) {
                return "tags." + tagKeys[i] + ": key longer than " + SeriesKey.MAX_NAME_BYTES + " bytes";
            }
            if (utf8(tagValues[i]) > SeriesKey.MAX_TAG_VALUE_BYTES) {
                return "tags." + tagKeys[i] + ": value longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes";
            }
        }
        for (String s : extra) {
            if (s != null && utf8(s) > SeriesKey.MAX_TAG_VALUE_BYTES) {
                return "a value is longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes";
            }
        }
        return null;
    }

    private long micros(Object t, String name) {
        if (t == null) {
            return SampleSink.NO_TIME;
        }
        if (t instanceof Number n) {
            double ms = n.doubleValue();
            if (!Double.isFinite(ms) || Math.abs(ms) > 9.2e15) {
                problem(name + ": epoch milliseconds out of range");
                return 0;
            }
            return Math.round(ms * 1000);
        }
        try {
            OffsetDateTime odt = OffsetDateTime.parse((String) t, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return odt.toEpochSecond() * 1_000_000L + odt.getNano() / 1000;
        } catch (DateTimeException e) {
            problem(name + ": '" + t + "' is not RFC 3339 (2026-11-22T10:00:00Z) or epoch milliseconds");
            return 0;
        }
    }

    String describe() {
        return isApi ? "route=" + route : metric == null ? "" : "metric=" + metric;
    }

    private static int utf8(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }
}
