package io.sluice.agent.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.agent.collect.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fleet monitor's API (README "Drop-in APIs"): the host registered with
 * {@code POST /api/v1/servers}, samples sent to {@code POST /api/v1/ingest} as
 * {@code {metric_type, metric_name, value, labels, timestamp}}. Raw counters are left out:
 * the fleet API gets their per-second rates.
 */
public final class FleetFormat implements Format {
    private static final Logger LOG = LoggerFactory.getLogger(FleetFormat.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Http http;
    private final HostInfo host;
    private final Map<String, String> labels;
    private volatile String serverId;

    public FleetFormat(Http http, HostInfo host, Map<String, String> labels) {
        this.http = http;
        this.host = host;
        this.labels = Map.copyOf(labels);
    }

    @Override
    public String describe() {
        return "fleet API: POST " + http.url("/api/v1/ingest") + " as host " + host.hostname();
    }

    @Override
    public boolean connected() {
        return serverId != null;
    }

    @Override
    public void connect() throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("hostname", host.hostname());
        body.put("ip_address", host.ipAddress());
        body.put("os", host.os());
        body.set("labels", JSON.valueToTree(labels));
        body.put("agent_version", host.agentVersion());
        HttpResponse<String> r = http.post("/api/v1/servers", "application/json", body.toString());
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new IOException("registration answered " + r.statusCode() + ": " + Outcome.brief(r.body()));
        }
        String id = JSON.readTree(r.body()).path("id").asText("");
        if (id.isEmpty()) {
            throw new IOException("registration answer has no id: " + Outcome.brief(r.body()));
        }
        if (!id.equals(serverId)) {
            LOG.info("registered with the fleet API [server_id={}, hostname={}, ip_address={}, os={}]",
                    id, host.hostname(), host.ipAddress(), host.os());
        }
        serverId = id;
    }

    @Override
    public void forget() {
        serverId = null;
    }

    /** The id the fleet API gave this host; null until registered. */
    public String serverId() {
        return serverId;
    }

    @Override
    public HttpResponse<String> send(List<Sample> batch, String idempotencyKey) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("server_id", serverId);
        ArrayNode metrics = body.putArray("metrics");
        for (Sample s : batch) {
            ObjectNode m = metrics.addObject();
            m.put("metric_type", FleetNames.type(s.measurement()));
            m.put("metric_name", FleetNames.name(s.measurement(), s.field()));
            m.put("value", s.value());
            m.set("labels", JSON.valueToTree(s.tags()));
            m.put("timestamp", Instant.ofEpochMilli(s.timeMs()).toString());
        }
        return http.post("/api/v1/ingest", "application/json", body.toString(), idempotencyKey);
    }

    @Override
    public boolean carries(Sample s) {
        return s.kind() == Sample.Kind.GAUGE;
    }

    @Override
    public String key(Sample s) {
        return key(FleetNames.type(s.measurement()), FleetNames.name(s.measurement(), s.field()), s.tags(), s.timeMs());
    }

    private static String key(String type, String name, Map<String, String> labels, long timeMs) {
        return type + '\u0000' + name + '\u0000' + new TreeMap<>(labels) + '\u0000' + timeMs;
    }

    /** The most samples one {@code GET /api/v1/metrics} lists. */
    private static final int LIST_LIMIT = 10_000;

    /** Asks {@code GET /api/v1/metrics} for this host's samples in the batch's time range. */
    @Override
    public Set<String> stored(List<Sample> batch) throws IOException, InterruptedException {
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (Sample s : batch) {
            from = Math.min(from, s.timeMs());
            to = Math.max(to, s.timeMs());
        }
        HttpResponse<String> r = http.get("/api/v1/metrics?server_id=" + enc(serverId) + "&from="
                + enc(Instant.ofEpochMilli(from).toString()) + "&to=" + enc(Instant.ofEpochMilli(to).toString())
                + "&limit=" + LIST_LIMIT);
        if (r.statusCode() != 200) {
            throw new IOException("GET /api/v1/metrics answered " + r.statusCode() + ": " + Outcome.brief(r.body()));
        }
        JsonNode list = JSON.readTree(r.body());
        if (list.size() >= LIST_LIMIT) {
            throw new UnsupportedOperationException("the answer was cut at " + LIST_LIMIT + " samples");
        }
        Set<String> keys = new HashSet<>();
        for (JsonNode m : list) {
            Map<String, String> l = new TreeMap<>();
            m.path("labels").fields().forEachRemaining(e -> l.put(e.getKey(), e.getValue().asText()));
            keys.add(key(m.path("metric_type").asText(), m.path("metric_name").asText(), l,
                    Instant.parse(m.path("timestamp").asText()).toEpochMilli()));
        }
        return keys;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
