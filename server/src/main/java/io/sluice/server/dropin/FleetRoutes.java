package io.sluice.server.dropin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.codec.ParseError;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.Uuids;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Router;
import io.sluice.server.http.WritePublisher;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;
import io.sluice.server.query.QueryRoutes;
import io.sluice.server.query.Times;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The fleet monitor (README, "Drop-in APIs"): a server registry and bulk metric ingest. A metric is stored as
 * metric {@code <metric_type>_<metric_name>} tagged {@code server_id}, {@code metric_type},
 * {@code metric_name} and its labels, so {@code /api/v1/stream} can filter on them.
 */
public final class FleetRoutes {
    private final Ingest ingest;
    private final WritePublisher publisher;
    private final QueryRoutes runner;
    private final DataSource db;

    public FleetRoutes(Ingest ingest, WritePublisher publisher, QueryRoutes runner, DataSource db) {
        this.ingest = ingest;
        this.publisher = publisher;
        this.runner = runner;
        this.db = db;
    }

    public void register(Router router) {
        router.post("/api/v1/servers", Scope.WRITE, this::register);
        router.get("/api/v1/servers", Scope.READ, ex -> runner.run(ex, this::servers));
        router.post("/api/v1/ingest", Scope.WRITE, this::ingest);
        router.get("/api/v1/metrics", Scope.READ, ex -> runner.run(ex, () -> metrics(ex)));
    }

    private void register(Exchange ex) {
        JsonNode b = DropIn.body(ex);
        String hostname = b.path("hostname").asText("");
        if (hostname.isEmpty()) {
            throw new BadRequest("hostname: required");
        }
        JsonNode labels = b.get("labels");
        if (labels != null && !labels.isNull() && !labels.isObject()) {
            throw new BadRequest("labels: must be an object");
        }
        runner.run(ex, () -> {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO servers (hostname, ip_address, os, labels, agent_version) VALUES (?, ?, ?, ?::jsonb, ?)"
                            + " ON CONFLICT (hostname) DO UPDATE SET ip_address = EXCLUDED.ip_address, os = EXCLUDED.os,"
                            + " labels = EXCLUDED.labels, agent_version = EXCLUDED.agent_version, updated_at = now()"
                            + " RETURNING " + COLUMNS + ", (xmax = 0) AS created")) {
                ps.setString(1, hostname);
                ps.setString(2, text(b, "ip_address"));
                ps.setString(3, text(b, "os"));
                ps.setString(4, labels == null || labels.isNull() ? "{}" : labels.toString());
                ps.setString(5, text(b, "agent_version"));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ex.json(rs.getBoolean("created") ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, server(rs));
                }
            }
            return QueryRoutes.ANSWERED;
        });
    }

    private static final String COLUMNS = "id, hostname, ip_address, os, labels, agent_version, last_seen, created_at, updated_at";

    private Object servers() throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM servers ORDER BY hostname"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(server(rs));
            }
        }
        return out;
    }

    private static Map<String, Object> server(ResultSet rs) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getString("id"));
        m.put("hostname", rs.getString("hostname"));
        m.put("ip_address", rs.getString("ip_address"));
        m.put("os", rs.getString("os"));
        m.put("labels", DropIn.JSON.readTree(rs.getString("labels")));
        m.put("agent_version", rs.getString("agent_version"));
        m.put("last_seen", DropIn.rfc3339(rs.getTimestamp("last_seen")));
        m.put("created_at", DropIn.rfc3339(rs.getTimestamp("created_at")));
        m.put("updated_at", DropIn.rfc3339(rs.getTimestamp("updated_at")));
        return m;
    }

    private void ingest(Exchange ex) {
        JsonNode b = DropIn.body(ex);
        String serverId = b.path("server_id").asText("");
        if (!Uuids.isCanonical(serverId)) {
            throw new BadRequest("server_id: required, a UUID (8-4-4-4-12 hex digits) as returned by POST /api/v1/servers");
        }
        JsonNode metrics = b.get("metrics");
        if (metrics == null || !metrics.isArray()) {
            throw new BadRequest("metrics: required, an array");
        }
        IngestSink sink = ingest.newSink().begin(ex.principal().writes());
        SeriesKey key = new SeriesKey();
        int i = 0;
        for (JsonNode m : metrics) {
            i++;
            String type = m.path("metric_type").asText("");
            String name = m.path("metric_name").asText("");
            String problem = type.isEmpty() ? "metric_type: required" : name.isEmpty() ? "metric_name: required"
                    : !m.path("value").isNumber() ? "value: required number" : null;
            long time = 0;
            if (problem == null) {
                try {
                    time = DropIn.micros(m.get("timestamp"), "timestamp");
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
            if (problem != null) {
                sink.error(new ParseError(i, 1, "metrics[" + (i - 1) + "]." + problem, ""));
                continue;
            }
            key.reset().metric(type + "_" + name);
            for (Iterator<Map.Entry<String, JsonNode>> it = m.path("labels").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> l = it.next();
                key.tag(l.getKey(), l.getValue().asText());
            }
            key.tag("server_id", serverId);
            key.tag("metric_type", type);
            key.tag("metric_name", name);
            sink.sample(key, time, m.get("value").asDouble(), io.sluice.codec.SampleSink.NO_STEP);
        }
        // Check the server exists and mark it seen (a database round trip: on a worker), then write.
        runner.run(ex, () -> {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE servers SET last_seen = now() WHERE id = ?::uuid")) {
                ps.setString(1, serverId);
                if (ps.executeUpdate() == 0) {
                    throw new QueryRoutes.NotFound("server_id: no server " + serverId + "; register it with POST /api/v1/servers");
                }
            }
            Map<String, Object> ok = new LinkedHashMap<>();
            ok.put("status", "ok");
            ok.put("ingested", sink.batch().size());
            publisher.publish(ex, sink, "http_fleet", HttpResponseStatus.OK, ok);
            return QueryRoutes.ANSWERED;
        });
    }

    /** Samples one answer lists when no {@code limit} is given, and at most. */
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;
    private static final long RECENT_MICROS = 3_600_000_000L;

    /**
     * Samples of the fleet, newest first: those from {@code from} (default: an hour before
     * {@code to}) to {@code to} (default: now), at most {@code limit}. The document's walkthrough
     * sends 100 samples and lists them with just {@code server_id} and {@code metric_type}, so
     * without a range this is the last hour. {@code latest=true} lists the
     * newest sample of each series instead.
     */
    private Object metrics(Exchange ex) throws Exception {
        if (ex.query("server_id") != null && !Uuids.isCanonical(ex.query("server_id"))) {
            throw new BadRequest("server_id: not a UUID (8-4-4-4-12 hex digits)");
        }
        Map<String, String> filter = new LinkedHashMap<>();
        for (String k : new String[] {"server_id", "metric_type", "metric_name"}) {
            if (ex.query(k) != null) {
                filter.put(k, ex.query(k));
            }
        }
        int limit = DropIn.intParam(ex, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        boolean latest = flag(ex, "latest");
        if (latest && (ex.query("from") != null || ex.query("to") != null)) {
            throw new BadRequest("latest: lists the newest sample of each series; leave out from and to");
        }
        long now = System.currentTimeMillis() * 1000;
        long to = ex.query("to") == null ? now : Times.parse("to", ex.query("to"), now);
        long from = ex.query("from") == null ? to - RECENT_MICROS : Times.parse("from", ex.query("from"), now);
        if (from > to) {
            throw new BadRequest("from: must not be after to");
        }
        String series = "SELECT id, tags FROM " + ex.scope().relation() + " s WHERE tags ?? 'server_id' AND tags ?? 'metric_type'"
                + " AND tags @> ?::jsonb";
        String sql = latest
                ? "SELECT r.tags, l.value, l.time FROM (" + series + ") r CROSS JOIN LATERAL (SELECT value, time"
                + " FROM samples WHERE series_id = r.id ORDER BY time DESC LIMIT 1) l ORDER BY l.time DESC, r.id LIMIT ?"
                : "SELECT r.tags, s.value, s.time FROM (" + series + ") r JOIN samples s ON s.series_id = r.id"
                + " WHERE s.time >= ? AND s.time <= ? ORDER BY s.time DESC, r.id LIMIT ?";
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, DropIn.JSON.writeValueAsString(filter));
            if (!latest) {
                ps.setTimestamp(i++, DropIn.ts(from));
                ps.setTimestamp(i++, DropIn.ts(to));
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(sample(DropIn.JSON.readTree(rs.getString(1)), rs.getDouble(2), rs.getTimestamp(3)));
                }
            }
        }
        return out;
    }

    /** One sample in the document's shape: the fleet's three tags, the value, the other tags as labels. */
    private static Map<String, Object> sample(JsonNode tags, double value, java.sql.Timestamp time) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server_id", tags.path("server_id").asText());
        m.put("metric_type", tags.path("metric_type").asText());
        m.put("metric_name", tags.path("metric_name").asText());
        m.put("value", value);
        Map<String, String> labels = new LinkedHashMap<>();
        tags.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("server_id") && !e.getKey().equals("metric_type")
                    && !e.getKey().equals("metric_name")) {
                labels.put(e.getKey(), e.getValue().asText());
            }
        });
        m.put("labels", labels);
        m.put("timestamp", DropIn.rfc3339(time));
        return m;
    }

    private static boolean flag(Exchange ex, String name) {
        String v = ex.query(name);
        if (v == null || v.equals("false") || v.equals("0")) {
            return false;
        }
        if (v.equals("true") || v.equals("1") || v.isEmpty()) {
            return true;
        }
        throw new BadRequest(name + ": '" + v + "' is not true or false");
    }

    private static String text(JsonNode b, String field) {
        JsonNode n = b.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
