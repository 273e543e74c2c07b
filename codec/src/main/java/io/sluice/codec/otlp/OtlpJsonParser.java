package io.sluice.codec.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.codec.ParseError;
import io.sluice.codec.Parser;
import io.sluice.codec.SampleSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads an OTLP {@code ExportMetricsServiceRequest} in the JSON encoding (OTLP specification,
 * "JSON Protobuf Encoding"): keys in lowerCamelCase (the proto field names are accepted too, as
 * proto3 JSON parsers do), 64-bit integers as decimal strings or numbers, enums as integers,
 * doubles as numbers or {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, bytes in base64,
 * unknown members ignored. Mapping as the protobuf reader's, through the same
 * {@link PointEmitter}.
 *
 * <p>The body is read as a Jackson tree, since its members may come in any order; OTLP/JSON is
 * the debugging encoding, the SDKs' default is protobuf. A value of the wrong type inside a data
 * point refuses that point (an error naming it); anywhere above, or a body that is not JSON,
 * gives one error and sets {@link #malformed()}. Not thread-safe: one instance per thread.
 */
public final class OtlpJsonParser implements Parser<SampleSink> {
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build());

    private final OtlpStats stats = new OtlpStats();
    private final PointEmitter emitter = new PointEmitter(stats);
    private ParseError malformed;
    private long[] counts = new long[64];
    private long[] negative = new long[64];
    private double[] bounds = new double[64];
    private double[] quantiles = new double[16];
    private double[] quantileValues = new double[16];

    /** A value of the wrong type, at a path. */
    private static final class Bad extends Exception {
        Bad(String message) {
            super(message, null, false, false);
        }
    }

    public OtlpJsonParser filter(AttributeFilter filter) {
        emitter.filter(filter);
        return this;
    }

    /** @return samples given to the sink */
    @Override
    public int parse(byte[] buf, int off, int len, SampleSink sink) {
        Objects.checkFromIndexSize(off, len, buf.length);
        stats.clear();
        malformed = null;
        emitter.begin(sink);
        String refused;
        try {
            JsonNode root = JSON.readTree(buf, off, len);
            if (root == null || !root.isObject()) {
                refused = "expected a JSON object (an ExportMetricsServiceRequest)";
            } else {
                request(root);
                return stats.samples;
            }
        } catch (JsonProcessingException e) {
            refused = "malformed JSON: " + e.getOriginalMessage();
        } catch (IOException e) {
            refused = "unreadable JSON: " + e.getMessage();
        } catch (Bad e) {
            refused = e.getMessage();
        }
        malformed = new ParseError(Math.max(1, emitter.line()), 1, refused, ParseError.excerpt(buf, off, len));
        sink.error(malformed);
        return stats.samples; // what came before the damage; the caller discards it (class comment)
    }

    @Override
    public int line() {
        return emitter.line();
    }

    /** The error that made the last body malformed (see the class comment), or null. */
    public ParseError malformed() {
        return malformed;
    }

    public OtlpStats stats() {
        return stats;
    }

    private void request(JsonNode root) throws Bad {
        JsonNode rms = array(root, "resourceMetrics", "resource_metrics", "");
        for (int i = 0; i < rms.size(); i++) {
            String at = "resourceMetrics[" + i + "]";
            JsonNode rm = object(rms.get(i), at);
            emitter.startResource();
            attributes(member(object(member(rm, "resource", "resource"), at + ".resource"), "attributes", "attributes"),
                    at + ".resource.attributes");
            JsonNode sms = array(rm, "scopeMetrics", "scope_metrics", at);
            for (int j = 0; j < sms.size(); j++) {
                String sat = at + ".scopeMetrics[" + j + "]";
                JsonNode sm = object(sms.get(j), sat);
                emitter.startScope();
                attributes(member(object(member(sm, "scope", "scope"), sat + ".scope"), "attributes", "attributes"),
                        sat + ".scope.attributes");
                JsonNode metrics = array(sm, "metrics", "metrics", sat);
                for (int k = 0; k < metrics.size(); k++) {
                    metric(object(metrics.get(k), sat + ".metrics[" + k + "]"), sat + ".metrics[" + k + "]");
                }
            }
        }
    }

    private void metric(JsonNode m, String at) throws Bad {
        JsonNode nameNode = member(m, "name", "name");
        if (!nameNode.isMissingNode() && !nameNode.isNull() && !nameNode.isTextual()) {
            throw new Bad(at + ".name: must be a string");
        }
        byte[] name = nameNode.asText("").getBytes(StandardCharsets.UTF_8);
        String[] kinds = {"gauge", "sum", "histogram", "exponentialHistogram", "summary"};
        String[] protoNames = {"gauge", "sum", "histogram", "exponential_histogram", "summary"};
        for (int i = 0; i < kinds.length; i++) {
            JsonNode data = member(m, kinds[i], protoNames[i]);
            if (data.isMissingNode() || data.isNull()) {
                continue;
            }
            String dat = at + "." + kinds[i];
            object(data, dat);
            boolean cumulativeKind = i == 1 || i == 2 || i == 3;
            long temporality = integer(member(data, "aggregationTemporality", "aggregation_temporality"), 0,
                    dat + ".aggregationTemporality");
            emitter.metric(name, 0, name.length, cumulativeKind && temporality == 1);
            JsonNode points = array(data, "dataPoints", "data_points", dat);
            for (int p = 0; p < points.size(); p++) {
                emitter.startPoint();
                String pat = dat + ".dataPoints[" + p + "]";
                try {
                    point(i, object(points.get(p), pat), pat);
                } catch (Bad e) {
                    emitter.refusePoint(e.getMessage());
                }
            }
            return; // a oneof: the first present one (well-formed documents have one)
        }
        emitter.metric(name, 0, name.length, false);
    }

    private void point(int kind, JsonNode p, String at) throws Bad {
        attributes(member(p, "attributes", "attributes"), at + ".attributes");
        int exemplars = member(p, "exemplars", "exemplars").size();
        stats.exemplars += exemplars;
        long time = unsigned(p, "timeUnixNano", "time_unix_nano", at);
        long flags = integer(member(p, "flags", "flags"), 0, at + ".flags");
        if ((flags & 1) != 0) {
            emitter.noRecordedValue();
            return;
        }
        switch (kind) {
            case 0, 1 -> {
                JsonNode d = member(p, "asDouble", "as_double");
                JsonNode n = member(p, "asInt", "as_int");
                double v = present(n) ? integer(n, at + ".asInt") : dbl(d, 0, at + ".asDouble");
                emitter.number(time, v);
            }
            case 2 -> {
                JsonNode bc = member(p, "bucketCounts", "bucket_counts");
                JsonNode eb = member(p, "explicitBounds", "explicit_bounds");
                int nc = bc.size();
                int nb = eb.size();
                counts = fit(counts, nc);
                bounds = fit(bounds, nb);
                for (int i = 0; i < nc; i++) {
                    counts[i] = unsignedValue(bc.get(i), at + ".bucketCounts[" + i + "]");
                }
                for (int i = 0; i < nb; i++) {
                    bounds[i] = dbl(eb.get(i), 0, at + ".explicitBounds[" + i + "]");
                }
                JsonNode sum = member(p, "sum", "sum");
                JsonNode min = member(p, "min", "min");
                JsonNode max = member(p, "max", "max");
                emitter.histogram(time, unsigned(p, "count", "count", at), dbl(sum, 0, at + ".sum"), present(sum),
                        counts, nc, bounds, nb, dbl(min, 0, at + ".min"), present(min), dbl(max, 0, at + ".max"),
                        present(max));
            }
            case 3 -> {
                JsonNode pos = member(p, "positive", "positive");
                JsonNode neg = member(p, "negative", "negative");
                JsonNode pc = member(pos, "bucketCounts", "bucket_counts");
                JsonNode nc = member(neg, "bucketCounts", "bucket_counts");
                counts = fit(counts, pc.size());
                negative = fit(negative, nc.size());
                for (int i = 0; i < pc.size(); i++) {
                    counts[i] = unsignedValue(pc.get(i), at + ".positive.bucketCounts[" + i + "]");
                }
                for (int i = 0; i < nc.size(); i++) {
                    negative[i] = unsignedValue(nc.get(i), at + ".negative.bucketCounts[" + i + "]");
                }
                JsonNode sum = member(p, "sum", "sum");
                JsonNode min = member(p, "min", "min");
                JsonNode max = member(p, "max", "max");
                emitter.exponential(time, unsigned(p, "count", "count", at), dbl(sum, 0, at + ".sum"), present(sum),
                        (int) integer(member(p, "scale", "scale"), 0, at + ".scale"), unsigned(p, "zeroCount", "zero_count", at),
                        dbl(member(p, "zeroThreshold", "zero_threshold"), 0, at + ".zeroThreshold"),
                        (int) integer(member(pos, "offset", "offset"), 0, at + ".positive.offset"), counts, pc.size(),
                        (int) integer(member(neg, "offset", "offset"), 0, at + ".negative.offset"), negative, nc.size(),
                        dbl(min, 0, at + ".min"), present(min), dbl(max, 0, at + ".max"), present(max));
            }
            default -> {
                JsonNode qv = member(p, "quantileValues", "quantile_values");
                quantiles = fit(quantiles, qv.size());
                quantileValues = fit(quantileValues, qv.size());
                for (int i = 0; i < qv.size(); i++) {
                    JsonNode q = qv.get(i);
                    quantiles[i] = dbl(member(q, "quantile", "quantile"), 0, at + ".quantileValues[" + i + "].quantile");
                    quantileValues[i] = dbl(member(q, "value", "value"), 0, at + ".quantileValues[" + i + "].value");
                }
                emitter.summary(time, unsigned(p, "count", "count", at), dbl(member(p, "sum", "sum"), 0, at + ".sum"),
                        quantiles, quantileValues, qv.size());
            }
        }
    }

    /** A KeyValue array; a wrong type anywhere in it refuses what it belongs to. */
    private void attributes(JsonNode list, String at) throws Bad {
        if (!present(list)) {
            return;
        }
        if (!list.isArray()) {
            throw new Bad(at + ": must be an array");
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode kv = list.get(i);
            JsonNode k = member(kv, "key", "key");
            if (present(k) && !k.isTextual()) {
                throw new Bad(at + "[" + i + "].key: must be a string");
            }
            byte[] key = k.asText("").getBytes(StandardCharsets.UTF_8); // absent: proto3's default, ""

            anyValue(key, member(kv, "value", "value"), at + "[" + i + "].value");
        }
    }

    private void anyValue(byte[] key, JsonNode v, String at) throws Bad {
        JsonNode s = member(v, "stringValue", "string_value");
        JsonNode b = member(v, "boolValue", "bool_value");
        JsonNode n = member(v, "intValue", "int_value");
        JsonNode d = member(v, "doubleValue", "double_value");
        JsonNode bytes = member(v, "bytesValue", "bytes_value");
        JsonNode array = member(v, "arrayValue", "array_value");
        JsonNode kvlist = member(v, "kvlistValue", "kvlist_value");
        if (present(s)) {
            byte[] t = s.asText().getBytes(StandardCharsets.UTF_8);
            emitter.attribute(key, 0, key.length, t, 0, t.length);
        } else if (present(b)) {
            emitter.attribute(key, 0, key.length, b.asBoolean());
        } else if (present(n)) {
            emitter.attribute(key, 0, key.length, integer(n, at + ".intValue"));
        } else if (present(d)) {
            emitter.attribute(key, 0, key.length, dbl(d, 0, at + ".doubleValue"));
        } else if (present(bytes)) {
            byte[] t = bytes.asText().getBytes(StandardCharsets.UTF_8); // base64 already
            emitter.attribute(key, 0, key.length, t, 0, t.length);
        } else if (present(array) || present(kvlist)) {
            byte[] t = plain(v, 0).toString().getBytes(StandardCharsets.UTF_8);
            emitter.attribute(key, 0, key.length, t, 0, t.length);
        } else {
            emitter.attribute(key, 0, key.length, key, 0, 0);
        }
    }

    /**
     * An AnyValue as the plain JSON value it stands for ({@code ["a",1]}, {@code {"k":"v"}}), the
     * text the protobuf reader gives an array or key-value list attribute.
     */
    private static JsonNode plain(JsonNode any, int depth) throws Bad {
        if (depth > 32) {
            throw new Bad("attribute values nested deeper than 32");
        }
        var f = JSON.getNodeFactory();
        JsonNode s = member(any, "stringValue", "string_value");
        JsonNode n = member(any, "intValue", "int_value");
        JsonNode array = member(any, "arrayValue", "array_value");
        JsonNode kvlist = member(any, "kvlistValue", "kvlist_value");
        if (present(s)) {
            return f.textNode(s.asText());
        } else if (present(n)) {
            return f.numberNode(integer(n, "intValue"));
        } else if (present(array)) {
            var out = f.arrayNode();
            for (JsonNode item : member(array, "values", "values")) {
                out.add(plain(item, depth + 1));
            }
            return out;
        } else if (present(kvlist)) {
            var out = f.objectNode();
            for (JsonNode kv : member(kvlist, "values", "values")) {
                out.set(member(kv, "key", "key").asText(), plain(member(kv, "value", "value"), depth + 1));
            }
            return out;
        }
        JsonNode b = member(any, "boolValue", "bool_value");
        JsonNode d = member(any, "doubleValue", "double_value");
        JsonNode bytes = member(any, "bytesValue", "bytes_value");
        return present(b) ? b : present(d) ? d : present(bytes) ? bytes : f.nullNode();
    }

    private static JsonNode member(JsonNode n, String camel, String proto) {
        JsonNode v = n.path(camel);
        return v.isMissingNode() ? n.path(proto) : v;
    }

    private static boolean present(JsonNode n) {
        return !n.isMissingNode() && !n.isNull();
    }

    private static JsonNode object(JsonNode n, String at) throws Bad {
        if (n.isMissingNode() || n.isNull()) {
            return JSON.missingNode();
        }
        if (!n.isObject()) {
            throw new Bad(at + ": must be an object");
        }
        return n;
    }

    private static JsonNode array(JsonNode parent, String camel, String proto, String at) throws Bad {
        JsonNode n = member(parent, camel, proto);
        if (!present(n)) {
            return JSON.createArrayNode();
        }
        if (!n.isArray()) {
            throw new Bad((at.isEmpty() ? "" : at + ".") + camel + ": must be an array");
        }
        return n;
    }

    /** An int64 or int32: a number, or its decimal text (proto3 JSON); absent is {@code dflt}. */
    private static long integer(JsonNode n, long dflt, String at) throws Bad {
        return present(n) ? integer(n, at) : dflt;
    }

    private static long integer(JsonNode n, String at) throws Bad {
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.textValue());
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw new Bad(at + ": must be an integer (a number or its decimal text)");
    }

    /** A fixed64 or uint64 member: unsigned, as a number or its decimal text; absent is 0. */
    private static long unsigned(JsonNode p, String camel, String proto, String at) throws Bad {
        JsonNode n = member(p, camel, proto);
        return present(n) ? unsignedValue(n, at + "." + camel) : 0;
    }

    private static long unsignedValue(JsonNode n, String at) throws Bad {
        try {
            if (n.isIntegralNumber()) {
                return Long.parseUnsignedLong(n.bigIntegerValue().toString());
            }
            if (n.isTextual()) {
                return Long.parseUnsignedLong(n.textValue());
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new Bad(at + ": must be an unsigned integer (a number or its decimal text)");
    }

    /** A double: a number, or "NaN", "Infinity", "-Infinity", or a number's text (proto3 JSON). */
    private static double dbl(JsonNode n, double dflt, String at) throws Bad {
        if (!present(n)) {
            return dflt;
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            switch (n.textValue()) {
                case "NaN" -> {
                    return Double.NaN;
                }
                case "Infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-Infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {
                    try {
                        return Double.parseDouble(n.textValue());
                    } catch (NumberFormatException e) {
                        // falls through
                    }
                }
            }
        }
        throw new Bad(at + ": must be a number");
    }

    private static long[] fit(long[] a, int n) {
        return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
    }

    private static double[] fit(double[] a, int n) {
        return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
    }
}
