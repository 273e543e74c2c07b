package io.sluice.codec.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.sluice.codec.ParseError;
import io.sluice.codec.Parser;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.io.IOException;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * JSON samples read with Jackson's streaming parser (shapes and mapping in {@code package-info.java}).
 *
 * <p>Each element is validated whole and gives either its sample or one {@link ParseError}; the
 * others still count. The whole document is read before anything is emitted, so a document that
 * is not JSON (or breaks off) gives one error and no samples. Jackson's exceptions never escape.
 * Not thread-safe: one instance per thread.
 */
public final class JsonSampleParser implements Parser<SampleSink> {
    /** The metric of an API performance datagram; its value is the call's duration in ms. */
    public static final String API_METRIC = "api_response_time";

    private final JsonFactory factory = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32).maxStringLength(1 << 20).build())
            .build();
    private final Batch batch = new Batch();
    private final Element top = new Element(batch);
    private final Element item = new Element(batch);
    private final SeriesKey key = new SeriesKey();
    private final IntConsumer setElement = i -> element = i;

    private int element;
    private byte[] doc;
    private int docOff;

    /** The 1-based index of the element being emitted, or the last one. */
    public int element() {
        return element;
    }

    /** The element being emitted, as {@link #element()}: a JSON document's "line". */
    @Override
    public int line() {
        return element;
    }

    /** @return samples emitted */
    @Override
    public int parse(byte[] buf, int off, int len, SampleSink sink) {
        Objects.checkFromIndexSize(off, len, buf.length);
        batch.clear();
        element = 0;
        doc = buf;
        docOff = off;
        String refused = null;
        long refusedAt = 0;
        try (JsonParser p = factory.createParser(buf, off, len)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                array(p, "");
            } else if (t == JsonToken.START_OBJECT) {
                topObject(p);
            } else {
                refused = t == null ? "empty document" : "expected a JSON object or array";
            }
            if (refused == null && p.nextToken() != null) {
                refused = "unexpected content after the JSON document";
            }
            refusedAt = refused == null ? 0 : tokenOffset(p);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            refused = "malformed JSON: " + e.getOriginalMessage();
            refusedAt = l == null ? 0 : Math.max(0, l.getByteOffset() >= 0 ? l.getByteOffset() : l.getCharOffset());
        } catch (IOException e) {
            refused = "unreadable JSON: " + e.getMessage();
        }
        doc = null;
        if (refused != null) {
            batch.clear();
            element = Math.max(1, element);
            sink.error(new ParseError(element, (int) Math.min(Integer.MAX_VALUE, refusedAt + 1), refused,
                    ParseError.excerpt(buf, off, len)));
            return 0;
        }
        return batch.emit(key, sink, setElement);
    }

    /** {"samples":[...]} (other members ignored), or else one sample or API timing. */
    private void topObject(JsonParser p) throws IOException {
        long start = tokenOffset(p);
        element = 1;
        top.begin(1, null, start);
        boolean isBatch = false;
        String refused = null;
        long refusedAt = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("samples")) {
                isBatch = true;
                if (v == JsonToken.START_ARRAY) {
                    array(p, "samples");
                } else {
                    refused = "samples: must be an array";
                    refusedAt = tokenOffset(p);
                    p.skipChildren();
                }
            } else {
                field(p, top, name, v);
            }
        }
        if (refused != null) {
            element = 1;
            batch.addError(new ParseError(1, (int) refusedAt + 1, refused,
                    ParseError.excerpt(doc, docOff + (int) start, (int) (tokenOffset(p) + 1 - start))));
        } else if (!isBatch) {
            top.finish(doc, docOff, p);
        }
    }

    private void array(JsonParser p, String name) throws IOException {
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new JsonParseException(p, "unexpected end of input in an array");
            }
            element = ++index;
            long start = tokenOffset(p);
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                long end = p.currentLocation().getByteOffset();
                batch.addError(new ParseError(index, (int) start + 1, name + "[" + (index - 1) + "]: expected an object",
                        ParseError.excerpt(doc, docOff + (int) start, (int) (Math.max(end, start) - start))));
                continue;
            }
            item.begin(index, name, start);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                field(p, item, field, p.nextToken());
            }
            item.finish(doc, docOff, p);
        }
    }

    /** One member of an element; unknown ones are skipped whatever they hold. */
    private void field(JsonParser p, Element el, String name, JsonToken v) throws IOException {
        switch (name) {
            case "metric" -> {
                if (v == JsonToken.VALUE_STRING) {
                    el.metricOff = text(p);
                    el.metricLen = batch.bytesSince(el.metricOff);
                } else {
                    wrongType(p, el, "metric: must be a string");
                }
            }
            case "value" -> {
                if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                    el.value = p.getDoubleValue();
                    el.hasValue = true;
                } else {
                    wrongType(p, el, "value: must be a number");
                }
            }
            case "step" -> {
                if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                        && p.getLongValue() != SampleSink.NO_STEP) {
                    el.step = p.getLongValue();
                } else if (v == JsonToken.VALUE_NUMBER_INT) {
                    el.problem("step: out of range", tokenOffset(p));
                } else if (v == JsonToken.VALUE_NULL) {
                    el.step = SampleSink.NO_STEP;
                } else {
                    wrongType(p, el, "step: must be an integer");
                }
            }
            case "time" -> time(p, el.time, v);
            case "timestamp" -> time(p, el.timestamp, v);
            case "tags" -> tags(p, el, v);
            case "route" -> {
                if (v == JsonToken.VALUE_STRING) {
                    el.routeOff = text(p);
                    el.routeLen = batch.bytesSince(el.routeOff);
                } else {
                    wrongType(p, el, "route: must be a string");
                }
            }
            case "method" -> {
                if (v == JsonToken.VALUE_STRING) {
                    el.methodOff = text(p);
                    el.methodLen = batch.bytesSince(el.methodOff);
                } else if (v != JsonToken.VALUE_NULL) {
                    wrongType(p, el, "method: must be a string");
                }
            }
            case "status" -> {
                if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    el.statusOff = batch.appendDecimal(p.getLongValue());
                    el.statusLen = batch.bytesSince(el.statusOff);
                } else if (v == JsonToken.VALUE_STRING) {
                    el.statusOff = text(p);
                    el.statusLen = batch.bytesSince(el.statusOff);
                } else if (v != JsonToken.VALUE_NULL) {
                    wrongType(p, el, "status: must be an integer or a string");
                }
            }
            default -> p.skipChildren();
        }
    }

    private void time(JsonParser p, Element.Time t, JsonToken v) throws IOException {
        t.at = tokenOffset(p);
        switch (v) {
            case VALUE_NULL -> t.kind = Element.Time.ABSENT;
            case VALUE_STRING -> {
                t.micros = Rfc3339.parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                t.kind = t.micros == Rfc3339.INVALID ? Element.Time.BAD : Element.Time.MICROS;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                t.kind = Element.Time.NUMBER;
                t.isLong = v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
                t.asLong = t.isLong ? p.getLongValue() : 0;
                t.asDouble = p.getDoubleValue();
            }
            default -> {
                t.kind = Element.Time.BAD;
                p.skipChildren();
            }
        }
    }

    /**
     * "tags": an object of strings. Numbers and booleans are taken as written ({@code 0},
     * {@code 1.50}, {@code true}); a null member is no tag; objects and arrays are refused.
     */
    private void tags(JsonParser p, Element el, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            el.restartTags();
            return;
        }
        if (v != JsonToken.START_OBJECT) {
            wrongType(p, el, "tags: must be an object");
            return;
        }
        el.restartTags();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken tv = p.nextToken();
            if (tv == JsonToken.VALUE_NULL) {
                continue;
            }
            if (!tv.isScalarValue()) {
                wrongType(p, el, "tags." + k + ": must be a string, number or boolean");
                continue;
            }
            int kOff = batch.appendUtf8(k);
            int kLen = batch.bytesSince(kOff);
            int vOff = text(p);
            String bad = el.tag(k, kOff, kLen, vOff, batch.bytesSince(vOff));
            if (bad != null) {
                el.problem(bad, tokenOffset(p));
            }
        }
    }

    /** Appends the current token's text to the batch as UTF-8 without making a String. */
    private int text(JsonParser p) throws IOException {
        return batch.appendUtf8(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    private static void wrongType(JsonParser p, Element el, String reason) throws IOException {
        el.problem(reason, tokenOffset(p));
        p.skipChildren();
    }

    /** The current token's 0-based byte offset from the start of the document. */
    static long tokenOffset(JsonParser p) {
        JsonLocation l = p.currentTokenLocation();
        return Math.max(0, l.getByteOffset() >= 0 ? l.getByteOffset() : l.getCharOffset());
    }
}
