package io.sluice.agent.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.agent.collect.Sample;
import io.sluice.codec.Precision;
import io.sluice.codec.influx.LineProtocolEncoder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Tag keys and values are names the machine chose (mount points, interfaces, devices), and
 * line protocol cannot carry every name: a control character in one becomes {@code _}, trailing
 * backslashes are dropped, and a tag left empty is left out (README "Watch a machine"). A line
 * the encoder still refuses is skipped and counted; a batch is never refused whole for it.
 */
public final class LineFormat implements Format {
    private static final Logger LOG = LoggerFactory.getLogger(LineFormat.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LOG_EVERY_MS = 60_000;

    private final Http http;
    private final String hostname;
    private final Map<String, String> globalTags;
    // Touched by the sender's thread only; read by tests.
    private long cleanedNames;
    private long skippedLines;
    private long lastLog = Long.MIN_VALUE / 2;

    public LineFormat(Http http, String hostname, Map<String, String> globalTags) {
        this.http = http;
        this.hostname = hostname;
        Map<String, String> g = new TreeMap<>();
        globalTags.forEach((k, v) -> cleanedNames += putClean(g, k, v));
        if (!g.containsKey("host")) {
            cleanedNames += putClean(g, "host", hostname);
        }
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
    public HttpResponse<String> send(List<Sample> batch, String idempotencyKey) throws IOException, InterruptedException {
        return http.post("/write?precision=ms", "text/plain; charset=utf-8", encode(batch), idempotencyKey);
    }

    /** Consecutive samples of one measurement, tag set and time share a line. */
    String encode(List<Sample> batch) {
        long cleanedBefore = cleanedNames;
        long skippedBefore = skippedLines;
        String lines = lines(batch);
        if (cleanedNames > cleanedBefore || skippedLines > skippedBefore) {
            long now = System.currentTimeMillis();
            if (now - lastLog >= LOG_EVERY_MS) {
                lastLog = now;
                LOG.warn("names line protocol cannot carry were changed, or their lines skipped, since start [cleaned_names={},"
                        + " skipped_lines={}]", cleanedNames, skippedLines);
            }
        }
        return lines;
    }

    private String lines(List<Sample> batch) {
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
        int mark = sb.length();
        try {
            LineProtocolEncoder.appendLine(sb, s.measurement(), tags(s, true), fields, s.timeMs() * 1000,
                    Precision.MILLISECONDS);
        } catch (IllegalArgumentException e) {
            sb.setLength(mark);
            skippedLines++;
        }
    }

    /** The tags a sample's line carries; {@code count}: the names changed are counted (once, when it is written). */
    private Map<String, String> tags(Sample s, boolean count) {
        Map<String, String> t = new TreeMap<>(globalTags);
        int[] changed = {0};
        s.tags().forEach((k, v) -> changed[0] += putClean(t, k, v));
        if (count) {
            cleanedNames += changed[0];
        }
        return t;
    }

    /**
     * Puts the tag as line protocol can carry it, or leaves it out when nothing of it is left.
     *
     * @return 1 when the tag had to change, else 0
     */
    private static int putClean(Map<String, String> tags, String key, String value) {
        String k = LineNames.clean(key);
        String v = LineNames.clean(value);
        if (!k.isEmpty() && !v.isEmpty()) {
            tags.put(k, v);
        }
        return k != key || v != value ? 1 : 0;
    }

    /** Tag names or values changed (or left out) so that line protocol could carry them, since start. */
    long cleanedNames() {
        return cleanedNames;
    }

    /** Lines the encoder refused and that were therefore not sent, since start. */
    long skippedLines() {
        return skippedLines;
    }

    /** Sluice stores field {@code f} of measurement {@code m} as metric {@code m_f} (README "Write something"). */
    static String metric(Sample s) {
        return s.field().equals("value") ? s.measurement() : s.measurement() + "_" + s.field();
    }

    @Override
    public String key(Sample s) {
        return key(metric(s), tags(s, false), s.timeMs());
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
