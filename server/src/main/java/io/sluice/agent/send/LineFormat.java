package io.sluice.agent.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.agent.collect.Sample;
import io.sluice.codec.Precision;
import io.sluice.codec.influx.LineProtocolEncoder;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * InfluxDB line protocol to {@code POST /write?precision=ms}, as Telegraf's inputs name things:
 * one line per measurement and tag set, tagged {@code host} and the agent's {@code --tags};
 * counters as integers. Works with any server that takes InfluxDB 1.x writes.
 */
public final class LineFormat implements Format {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Http http;
    private final String hostname;
    private final Map<String, String> globalTags;

    public LineFormat(Http http, String hostname, Map<String, String> globalTags) {
        this.http = http;
        this.hostname = hostname;
        Map<String, String> g = new TreeMap<>(globalTags);
        g.putIfAbsent("host", hostname);
        this.globalTags = Map.copyOf(g);
    }

    @Override
    public String describe() {
        return "line protocol: POST " + http.url("/write?precision=ms") + " tagged host=" + hostname;
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public void connect() {
    }

    @Override
    public void forget() {
    }

    @Override
    public HttpResponse<String> send(List<Sample> batch) throws IOException, InterruptedException {
        return http.post("/write?precision=ms", "text/plain; charset=utf-8", encode(batch));
    }

    /** Consecutive samples of one measurement, tag set and time share a line. */
    String encode(List<Sample> batch) {
        StringBuilder sb = new StringBuilder(batch.size() * 48);
        Map<String, Object> fields = new LinkedHashMap<>();
        Sample first = null;
        for (Sample s : batch) {
            if (first != null && (s.tags() != first.tags() || s.timeMs() != first.timeMs()
                    || !s.measurement().equals(first.measurement()))) {
                line(sb, first, fields);
                fields.clear();
            }
            if (fields.isEmpty()) {
                first = s;
            }
            fields.put(s.field(), s.kind() == Sample.Kind.COUNTER ? (Object) (long) s.value() : (Object) s.value());
        }
        if (first != null) {
            line(sb, first, fields);
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, Sample s, Map<String, Object> fields) {
        LineProtocolEncoder.appendLine(sb, s.measurement(), tags(s), fields, s.timeMs() * 1000, Precision.MILLISECONDS);
    }

    private Map<String, String> tags(Sample s) {
        Map<String, String> t = new TreeMap<>(globalTags);
        t.putAll(s.tags());
        return t;
    }

    /** Sluice stores field {@code f} of measurement {@code m} as metric {@code m_f} (README "Write something"). */
    static String metric(Sample s) {
        return s.field().equals("value") ? s.measurement() : s.measurement() + "_" + s.field();
    }

    @Override
    public String key(Sample s) {
        return key(metric(s), tags(s), s.timeMs());
    }

    private static String key(String metric, Map<String, String> tags, long timeMs) {
        return metric + '\u0000' + new TreeMap<>(tags) + '\u0000' + timeMs;
    }

    /** Asks Sluice's {@code /v1/query} for each metric of the batch, raw, over the batch's time range. */
    @Override
    public Set<String> stored(List<Sample> batch) throws IOException, InterruptedException {
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        Set<String> metrics = new LinkedHashSet<>();
        for (Sample s : batch) {
            from = Math.min(from, s.timeMs());
            to = Math.max(to, s.timeMs());
            metrics.add(metric(s));
        }
        Set<String> keys = new HashSet<>();
        for (String metric : metrics) {
            HttpResponse<String> r = http.get("/v1/query?metric=" + FleetFormat.enc(metric) + "&host="
                    + FleetFormat.enc(globalTags.get("host")) + "&start=" + from + "&end=" + (to + 1)
                    + "&source=raw&nocache=1");
            if (r.statusCode() == 404 || r.statusCode() == 405) {
                throw new UnsupportedOperationException("the server has no /v1/query (answered " + r.statusCode() + ")");
            }
            if (r.statusCode() != 200) {
                throw new IOException("GET /v1/query answered " + r.statusCode() + ": " + Outcome.brief(r.body()));
            }
            for (JsonNode series : JSON.readTree(r.body()).path("series")) {
                Map<String, String> tags = new TreeMap<>();
                series.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
                for (JsonNode p : series.path("points")) {
                    keys.add(key(series.path("metric").asText(), tags, p.path(0).asLong()));
                }
            }
        }
        return keys;
    }
}
