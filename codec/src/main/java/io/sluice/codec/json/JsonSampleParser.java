package io.sluice.codec.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.io.IOException;

/**
 * JSON samples, read with Jackson's streaming parser. Accepted documents (DESIGN.md §4, §5):
 * <ul>
 *   <li>native: {@code {"samples":[{"metric","tags","time","value","step"}, ...]}}, a single
 *       sample object, or a bare array of them; {@code time} is RFC 3339 or epoch milliseconds;
 *       missing means arrival time;</li>
 *   <li>the API performance monitor's datagram {@code {"route","method","time","status","timestamp"}}
 *       (recognised by {@code route}): metric {@code api_response_time}, value = {@code time} in
 *       milliseconds, tags route, method, status; or an array of them.</li>
 * </ul>
 * Each element is checked whole before it is emitted; a bad one gives one {@link ParseError}
 * whose line is its 1-based index, and the others still count. Unknown fields are ignored.
 * Tag values that are numbers or booleans are taken as their text. Not thread-safe.
 */
public final class JsonSampleParser {
    public static final String API_METRIC = "api_response_time";

    private final JsonFactory factory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16)
                    .maxStringLength(1 << 20).build())
            .build();
    private final Element el = new Element();
    private final SeriesKey key = new SeriesKey();
    private int element;
    private int emitted;

    /** The 1-based index of the element being parsed (or last parsed). */
    public int element() {
        return element;
    }

    /** @return samples emitted */
    public int parse(byte[] buf, int off, int len, SampleSink sink) {
        element = 0;
        emitted = 0;
        try (JsonParser p = factory.createParser(buf, off, len)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                elements(p, sink);
            } else if (t == JsonToken.START_OBJECT) {
                topObject(p, sink);
            } else {
                element = 1;
                error(sink, p, "expected a JSON object or array", buf, off, len);
                return 0;
            }
            if (p.nextToken() != null) {
                error(sink, p, "unexpected content after the JSON document", buf, off, len);
            }
        } catch (JsonProcessingException e) {
            element = Math.max(1, element);
            sink.error(new ParseError(element, column(e), "malformed JSON: " + e.getOriginalMessage(),
                    snippet(buf, off, len)));
        } catch (IOException e) {
            sink.error(new ParseError(Math.max(1, element), 1, "unreadable JSON: " + e.getMessage(), ""));
        }
        return emitted;
    }

    /** An object that is either {"samples":[...]} or one sample. */
    private void topObject(JsonParser p, SampleSink sink) throws IOException {
        el.reset();
        element = 1;
        boolean sawSamples = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("samples".equals(name) && v == JsonToken.START_ARRAY) {
                sawSamples = true;
                element = 0;
                elements(p, sink);
                el.reset();
            } else {
                field(p, name, v);
            }
        }
        if (!sawSamples) {
            element = 1;
            emit(sink);
        } else if (el.hasAny()) {
            element = 1;
        }
    }

    private void elements(JsonParser p, SampleSink sink) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("unexpected end of input");
            }
            element++;
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                sink.error(new ParseError(element, column(p), "element " + element + ": expected an object", ""));
                continue;
            }
            el.reset();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                field(p, name, p.nextToken());
            }
            emit(sink);
        }
    }

    private void field(JsonParser p, String name, JsonToken v) throws IOException {
        switch (name) {
            case "metric" -> el.metric = scalarText(p, v, "metric");
            case "value" -> {
                if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                    el.value = p.getDoubleValue();
                    el.hasValue = true;
                } else {
                    el.problem("value: must be a number");
                    p.skipChildren();
                }
            }
            case "step" -> {
                if (v == JsonToken.VALUE_NUMBER_INT) {
                    el.step = p.getLongValue();
                } else if (v == JsonToken.VALUE_NULL) {
                    el.step = SampleSink.NO_STEP;
                } else {
                    el.problem("step: must be an integer");
                    p.skipChildren();
                }
            }
            case "time" -> el.time = timeToken(p, v, "time");
            case "timestamp" -> el.timestamp = timeToken(p, v, "timestamp");
            case "tags" -> tags(p, v);
            case "route" -> {
                el.route = scalarText(p, v, "route");
                el.isApi = true;
            }
            case "method" -> el.method = scalarText(p, v, "method");
            case "status" -> el.status = scalarText(p, v, "status");
            default -> p.skipChildren();
        }
    }

    private Object timeToken(JsonParser p, JsonToken v, String name) throws IOException {
        return switch (v) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> {
                el.problem(name + ": must be an RFC 3339 string or epoch milliseconds");
                p.skipChildren();
                yield null;
            }
        };
    }

    private String scalarText(JsonParser p, JsonToken v, String name) throws IOException {
        if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT
                || v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
            return p.getText();
        }
        el.problem(name + ": must be a string");
        p.skipChildren();
        return null;
    }

    private void tags(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return;
        }
        if (v != JsonToken.START_OBJECT) {
            el.problem("tags: must be an object of strings");
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            String val = scalarText(p, p.nextToken(), "tags." + k);
            if (val != null) {
                el.tag(k, val);
            }
        }
    }

    private void emit(SampleSink sink) {
        String problem = el.validate();
        if (problem != null) {
            sink.error(new ParseError(element, 1, problem, el.describe()));
            return;
        }
        key.reset();
        long time;
        double value;
        if (el.isApi) {
            key.metric(API_METRIC);
            key.tag("route", el.route);
            key.tag("method", el.method == null ? "" : el.method);
            if (el.status != null) {
                key.tag("status", el.status);
            }
            value = ((Number) el.time).doubleValue();
            time = el.timestampMicros;
        } else {
            key.metric(el.metric);
            time = el.timeMicros;
            value = el.value;
        }
        for (int i = 0; i < el.tagCount; i++) {
            if (!key.tag(el.tagKeys[i], el.tagValues[i])) {
                sink.error(new ParseError(element, 1, "more than " + SeriesKey.MAX_TAGS + " tags", el.describe()));
                return;
            }
        }
        sink.sample(key, time, value, el.step);
        emitted++;
    }

    private void error(SampleSink sink, JsonParser p, String reason, byte[] buf, int off, int len) {
        sink.error(new ParseError(Math.max(1, element), column(p), reason, snippet(buf, off, len)));
    }

    private static int column(JsonParser p) {
        return Math.max(1, p.currentLocation().getColumnNr());
    }

    private static int column(JsonProcessingException e) {
        return e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getColumnNr());
    }

    private static String snippet(byte[] buf, int off, int len) {
        return new String(buf, off, Math.min(len, ParseError.MAX_TEXT), java.nio.charset.StandardCharsets.UTF_8);
    }
}
