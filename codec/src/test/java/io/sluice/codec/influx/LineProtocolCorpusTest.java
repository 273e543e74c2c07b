package io.sluice.codec.influx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.Recorder;
import io.sluice.codec.SampleSink;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sluice's parser against the whole decode corpus of the reference implementation
 * (github.com/influxdata/line-protocol, {@code lineprotocol/testdata/corpus.json}: 6,615 inputs,
 * most of them found by fuzzing, each with the points or the error the reference gives). The
 * corpus is not part of this repository: fetch it and point {@code SLUICE_LP_CORPUS} at it, e.g.
 * <pre>
 * curl -sLo /tmp/corpus.json https://raw.githubusercontent.com/influxdata/line-protocol/v2/lineprotocol/testdata/corpus.json
 * SLUICE_LP_CORPUS=/tmp/corpus.json mvn -B -ntp -pl codec verify -Dtest=LineProtocolCorpusTest
 * </pre>
 * Without it the test is skipped; {@link LineProtocolReferenceTest} holds the cases taken from
 * the corpus as Sluice's own table, and runs everywhere.
 *
 * <p>What may differ, and only this: Sluice's documented limits ({@code package-info.java}) refuse
 * names longer than they allow, more tags or fields than they allow, and timestamps that do not
 * fit in microseconds; the reference refuses timestamps whose nanoseconds overflow 64 bits, which
 * Sluice accepts in the parser and its time policy refuses later (nothing after {@code max_future}).
 */
class LineProtocolCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sluiceDecodesTheReferenceCorpusAsTheReferenceDoes() throws Exception {
        String path = System.getenv("SLUICE_LP_CORPUS");
        Assumptions.assumeTrue(path != null && new File(path).isFile(),
                "SLUICE_LP_CORPUS does not name the reference corpus.json (see the class comment)");
        JsonNode decode = JSON.readTree(new File(path)).get("decode");
        Map<String, List<String>> mismatches = new TreeMap<>();
        int cases = 0;
        for (Iterator<JsonNode> it = decode.elements(); it.hasNext(); ) {
            JsonNode c = it.next();
            cases++;
            String problem = compare(c.get("input"), c.get("output"));
            if (problem != null) {
                String kind = problem.substring(0, problem.indexOf(':'));
                mismatches.computeIfAbsent(kind, k -> new ArrayList<>())
                        .add(c.get("input").get("key").asText() + " " + problem);
            }
        }
        StringBuilder report = new StringBuilder(cases + " corpus cases\n");
        mismatches.forEach((k, v) -> {
            report.append(v.size()).append(" x ").append(k).append('\n');
            v.stream().limit(Long.parseLong(System.getenv().getOrDefault("SLUICE_LP_CORPUS_SHOW", "8"))).forEach(e -> report.append("    ").append(e).append('\n'));
        });
        System.out.println(report);
        assertThat(mismatches.keySet()).as(report.toString()).allMatch(LineProtocolCorpusTest::allowed);
    }

    /** Differences that Sluice's documented limits explain. */
    static boolean allowed(String kind) {
        return kind.startsWith("policy");
    }

    static byte[] text(JsonNode input) {
        JsonNode t = input.get("text");
        return t.isObject() ? Base64.getDecoder().decode(t.get("binary").asText())
                : t.asText().getBytes(StandardCharsets.UTF_8);
    }

    static Precision precision(String p) {
        return switch (p) {
            case "1ns" -> Precision.NANOSECONDS;
            case "1µs" -> Precision.MICROSECONDS;
            case "1ms" -> Precision.MILLISECONDS;
            case "1s" -> Precision.SECONDS;
            default -> throw new IllegalArgumentException(p);
        };
    }

    /** Null when Sluice agrees; else "kind: detail". */
    static String compare(JsonNode input, JsonNode output) {
        byte[] text = text(input);
        Precision precision = precision(input.get("precision").asText());
        long unit = switch (input.get("precision").asText()) {
            case "1µs" -> 1_000L;
            case "1ms" -> 1_000_000L;
            case "1s" -> 1_000_000_000L;
            default -> 1L;
        };
        long defaultNanos = Math.floorDiv(input.get("defaultTime").asLong(), unit) * unit;
        Recorder r = new Recorder();
        new LineProtocolParser().parse(text, 0, text.length, precision, r);
        String shown = show(text);
        if (output.has("error")) {
            if (!r.errors.isEmpty()) {
                return null;
            }
            return (timeOverflow(output.get("error").asText()) ? "policy: ns overflow, Sluice keeps micros"
                    : "lenient: reference refuses") + ": " + shown + " -> " + output.get("error").asText();
        }
        if (!r.errors.isEmpty()) {
            ParseError e = r.errors.get(0);
            boolean limit = e.reason().contains("longer than") || e.reason().startsWith("more than")
                    || e.reason().equals("timestamp out of range");
            return (limit ? "policy: limit, " + e.reason() : "strict: Sluice refuses, " + e.reason()) + ": " + shown;
        }
        List<String> expected = new ArrayList<>();
        int strings = 0;
        for (JsonNode p : output.get("result")) {
            Map<String, String> tags = new TreeMap<>();
            p.get("tags").forEach(t -> tags.put(t.get("key").asText(), t.get("value").asText()));
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            p.get("fields").forEach(f -> fields.put(f.get("key").asText(), f.get("value")));
            for (Map.Entry<String, JsonNode> f : fields.entrySet()) {
                String kind = f.getValue().fieldNames().next();
                JsonNode v = f.getValue().get(kind);
                if (kind.equals("string")) {
                    strings++;
                    continue;
                }
                double d = switch (kind) {
                    case "bool" -> v.asBoolean() ? 1 : 0;
                    case "uint" -> v.bigIntegerValue().doubleValue();
                    case "int" -> v.asLong();
                    default -> v.asDouble();
                };
                String metric = p.get("name").asText() + (f.getKey().equals("value") ? "" : "_" + f.getKey());
                expected.add(sample(metric, tags, Math.floorDiv(p.get("time").asLong(), 1000L), d));
            }
        }
        List<String> actual = new ArrayList<>();
        for (Recorder.Sample s : r.samples) {
            long t = s.time() == SampleSink.NO_TIME ? Math.floorDiv(defaultNanos, 1000L) : s.time();
            actual.add(sample(s.metric(), new TreeMap<>(s.tags()), t, s.value()));
        }
        expected.sort(null);
        actual.sort(null);
        if (!expected.equals(actual) || strings != r.skipped) {
            return "different: " + shown + " -> expected " + expected + " +" + strings + " strings, got " + actual
                    + " +" + r.skipped + " strings";
        }
        return null;
    }

    static boolean timeOverflow(String error) {
        return error.contains("invalid timestamp") && error.contains("out of range");
    }

    static String sample(String metric, Map<String, String> tags, long micros, double v) {
        return metric + tags + "=" + (v == 0 ? 0.0 : v) + "@" + micros;
    }

    /** The input with control and non-ASCII bytes as escapes, so the report prints on one line. */
    static String show(byte[] text) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : text) {
            int c = b & 0xFF;
            if (c == '\\' || c == '"') {
                sb.append('\\').append((char) c);
            } else if (c < 0x20 || c >= 0x7F) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.append('"').toString();
    }
}
