package io.sluice.codec.json;

import com.fasterxml.jackson.core.JsonParser;
import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.nio.charset.StandardCharsets;

/**
 * One JSON element as it is read: its names already in the {@link Batch} as UTF-8, its numbers
 * here. {@link #finish} decides the shape (native sample or API timing), validates the whole
 * element and adds either its sample or one error to the batch.
 */
final class Element {
    private static final byte[] API_METRIC = JsonSampleParser.API_METRIC.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROUTE = {'r', 'o', 'u', 't', 'e'};
    private static final byte[] METHOD = {'m', 'e', 't', 'h', 'o', 'd'};
    private static final byte[] STATUS = {'s', 't', 'a', 't', 'u', 's'};
    /** Epoch milliseconds whose microseconds still fit in a long. */
    private static final long MAX_MS = Long.MAX_VALUE / 1000;

    /** A time field as read; interpreted in {@link #finish} once the shape is known. */
    static final class Time {
        static final int ABSENT = 0, MICROS = 1, NUMBER = 2, BAD = 3;
        int kind;
        long micros;
        boolean isLong;
        long asLong;
        double asDouble;
        long at;
    }

    private final Batch batch;
    final Time time = new Time();
    final Time timestamp = new Time();

    private int index;
    /** "samples", "" for a bare array, null for a lone object: names the element in errors. */
    private String array;
    private long start;
    private int bytesMark, tagMark;
    private int tagCount;
    private String problem;
    private long problemAt;

    int metricOff, metricLen;
    boolean hasValue;
    double value;
    long step;
    int routeOff, routeLen, methodOff, methodLen, statusOff, statusLen;

    Element(Batch batch) {
        this.batch = batch;
    }

    /** Starts element {@code index} (1-based) whose first byte is at document offset {@code start}. */
    void begin(int index, String array, long start) {
        this.index = index;
        this.array = array;
        this.start = start;
        bytesMark = batch.bytesMark();
        tagMark = batch.tagMark();
        tagCount = 0;
        problem = null;
        metricOff = -1;
        hasValue = false;
        step = SampleSink.NO_STEP;
        routeOff = methodOff = statusOff = -1;
        time.kind = Time.ABSENT;
        timestamp.kind = Time.ABSENT;
    }

    /** Records the element's first problem, found at document offset {@code at}. */
    void problem(String reason, long at) {
        if (problem == null) {
            problem = reason;
            problemAt = at;
        }
    }

    /** A second "tags" object replaces the first, as a repeated JSON member does. */
    void restartTags() {
        batch.rollback(batch.bytesMark(), tagMark);
        tagCount = 0;
    }

    /** Adds a member of "tags"; returns the problem, or null. */
    String tag(String name, int kOff, int kLen, int vOff, int vLen) {
        if (kLen == 0) {
            return "tags: empty key";
        } else if (kLen > SeriesKey.MAX_NAME_BYTES) {
            return "tags: key longer than " + SeriesKey.MAX_NAME_BYTES + " bytes";
        } else if (vLen > SeriesKey.MAX_TAG_VALUE_BYTES) {
            return "tags." + name + ": longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes";
        } else if (++tagCount > SeriesKey.MAX_TAGS) {
            return "tags: more than " + SeriesKey.MAX_TAGS;
        } else if (!batch.addTag(tagMark, kOff, kLen, vOff, vLen)) {
            return "tags." + name + ": duplicate key";
        }
        return null;
    }

    /**
     * Validates the element, whose closing token is {@code p}'s current one, and adds its sample,
     * or its error, to the batch.
     */
    void finish(byte[] doc, int docOff, JsonParser p) {
        if (problem == null) {
            // The shape: "metric" makes a native sample; else "route" makes an API timing.
            if (metricOff < 0 && routeOff >= 0) {
                finishApi();
            } else {
                finishNative();
            }
        }
        if (problem != null) {
            long end = JsonSampleParser.tokenOffset(p) + 1;
            batch.rollback(bytesMark, tagMark);
            String where = array == null ? "" : array + "[" + (index - 1) + "]: ";
            batch.addError(new ParseError(index, (int) Math.min(Integer.MAX_VALUE, problemAt + 1), where + problem,
                    ParseError.excerpt(doc, docOff + (int) start, (int) (end - start))));
        }
    }

    private void finishNative() {
        if (metricOff < 0) {
            problem("missing \"metric\"", start);
        } else if (metricLen == 0) {
            problem("metric: empty", start);
        } else if (metricLen > SeriesKey.MAX_NAME_BYTES) {
            problem("metric: longer than " + SeriesKey.MAX_NAME_BYTES + " bytes", start);
        } else if (!hasValue) {
            problem("missing \"value\"", start);
        } else if (!Double.isFinite(value)) {
            problem("value: out of range", start);
        }
        long t = micros(time, "time");
        if (problem == null) {
            batch.addSample(index, metricOff, metricLen, tagMark, t, value, step);
        }
    }

    /** The API performance monitor's datagram (README, "Drop-in APIs"): {"route","method","time" (ms),"status","timestamp"}. */
    private void finishApi() {
        if (time.kind == Time.ABSENT) {
            problem("missing \"time\" (the call's duration in milliseconds)", start);
        } else if (time.kind != Time.NUMBER) {
            problem("time: must be a number of milliseconds", time.at);
        } else if (!Double.isFinite(time.asDouble)) {
            problem("time: out of range", time.at);
        } else if (routeLen == 0) {
            problem("route: empty", start);
        }
        long t = micros(timestamp, "timestamp");
        if (problem != null) {
            return;
        }
        apiTag(ROUTE, "route", routeOff, routeLen);
        // A missing method is the empty string, as the Go service's zero value stored it.
        apiTag(METHOD, "method", methodOff < 0 ? batch.bytesMark() : methodOff, methodOff < 0 ? 0 : methodLen);
        if (statusOff >= 0) {
            apiTag(STATUS, "status", statusOff, statusLen);
        }
        if (problem == null) {
            batch.addSample(index, batch.append(API_METRIC), API_METRIC.length, tagMark, t, time.asDouble, step);
        }
    }

    private void apiTag(byte[] name, String n, int vOff, int vLen) {
        if (vLen > SeriesKey.MAX_TAG_VALUE_BYTES) {
            problem(n + ": longer than " + SeriesKey.MAX_TAG_VALUE_BYTES + " bytes", start);
        } else if (++tagCount > SeriesKey.MAX_TAGS) {
            problem("tags: more than " + SeriesKey.MAX_TAGS + ", counting route, method and status", start);
        } else if (!batch.addTag(tagMark, batch.append(name), name.length, vOff, vLen)) {
            problem("tags." + n + ": given both in tags and as \"" + n + "\"", start);
        }
    }

    /** A timestamp field as microseconds, or NO_TIME when absent; records a problem if invalid. */
    private long micros(Time t, String name) {
        switch (t.kind) {
            case Time.ABSENT:
                return SampleSink.NO_TIME;
            case Time.MICROS:
                return t.micros;
            case Time.NUMBER:
                if (t.isLong ? t.asLong >= -MAX_MS && t.asLong <= MAX_MS : Math.abs(t.asDouble) <= MAX_MS) {
                    return t.isLong ? t.asLong * 1000 : Math.round(t.asDouble * 1000);
                }
                problem(name + ": out of range", t.at);
                return 0;
            default:
                problem(name + ": not RFC 3339 or epoch milliseconds", t.at);
                return 0;
        }
    }
}
