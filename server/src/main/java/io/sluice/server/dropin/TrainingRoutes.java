package io.sluice.server.dropin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Router;
import io.sluice.server.http.WritePublisher;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;
import io.sluice.server.query.QueryRoutes;
import io.sluice.server.query.Times;
import io.sluice.storage.query.SeriesScope;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The ML training metrics service (README, "Drop-in APIs"): batch writes of {@code {run_id, metric_name, step,
 * value, time, metadata}} and per-run reads. A sample is metric {@code metric_name} tagged
 * {@code run_id}, with its step; non-empty metadata goes to {@code run_metadata}.
 */
public final class TrainingRoutes {
    private final Ingest ingest;
    private final WritePublisher publisher;
    private final QueryRoutes runner;
    private final DataSource db;
    private final int batchSize;

    public TrainingRoutes(Ingest ingest, WritePublisher publisher, QueryRoutes runner, DataSource db, int batchSize) {
        this.ingest = ingest;
        this.publisher = publisher;
        this.runner = runner;
        this.db = db;
        this.batchSize = batchSize;
    }

    public void register(Router router) {
        router.post("/api/v1/metrics/batch", Scope.WRITE, this::batch);
        router.get("/api/v1/runs/{run_id}/metrics", Scope.READ, ex -> runner.run(ex, () -> Map.of("metrics",
                rows(ex.scope(), ex.pathParam("run_id"), null, limit(ex), start(ex), false))));
        router.get("/api/v1/runs/{run_id}/metrics/{metric_name}", Scope.READ, ex -> runner.run(ex, () -> Map.of("metrics",
                rows(ex.scope(), ex.pathParam("run_id"), ex.pathParam("metric_name"), limit(ex), Long.MIN_VALUE, false))));
        router.get("/api/v1/runs/{run_id}/metrics/{metric_name}/latest", Scope.READ, ex -> runner.run(ex, () -> {
            List<Map<String, Object>> one = rows(ex.scope(), ex.pathParam("run_id"), ex.pathParam("metric_name"), 1, Long.MIN_VALUE, true);
            if (one.isEmpty()) {
                throw new QueryRoutes.NotFound("no values of metric " + ex.pathParam("metric_name") + " in run "
                        + ex.pathParam("run_id"));
            }
            return one.get(0);
        }));
        router.get("/api/v1/runs/{run_id}/metrics/{metric_name}/stats", Scope.READ, ex -> runner.run(ex, () ->
                stats(ex.scope(), ex.pathParam("run_id"), ex.pathParam("metric_name"))));
    }

    private void batch(Exchange ex) {
        JsonNode body = DropIn.body(ex);
        JsonNode metrics = body.get("metrics");
        if (metrics == null || !metrics.isArray()) {
            throw new BadRequest("metrics: required, an array");
        }
        if (metrics.size() > batchSize) {
            throw new BadRequest("metrics: at most " + batchSize + " per request (BATCH_SIZE), got " + metrics.size());
        }
        IngestSink sink = ingest.newSink().begin(ex.principal().writes());
        List<Object[]> metadata = new ArrayList<>();
        SeriesKey key = new SeriesKey();
        int i = 0;
        for (JsonNode m : metrics) {
            i++;
            String problem = check(m);
            long time = SampleSink.NO_TIME;
            if (problem == null) {
                try {
                    time = DropIn.micros(m.get("time"), "time");
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
            if (problem != null) {
                sink.error(new ParseError(i, 1, "metrics[" + (i - 1) + "]." + problem, ""));
                continue;
            }
            String run = m.get("run_id").asText();
            String name = m.get("metric_name").asText();
            long step = m.hasNonNull("step") ? m.get("step").asLong() : SampleSink.NO_STEP;
            key.reset().metric(name).tag("run_id", run);
            sink.sample(key, time, m.get("value").asDouble(), step);
            JsonNode meta = m.get("metadata");
            if (meta != null && meta.isObject() && !meta.isEmpty() && step != SampleSink.NO_STEP) {
                metadata.add(new Object[] {run, name, step, meta.toString()});
            }
        }
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("success", true);
        ok.put("count", sink.batch().size());
        if (metadata.isEmpty()) {
            publisher.publish(ex, sink, "http_training", HttpResponseStatus.OK, ok);
            return;
        }
        // Metadata is a database write: done on a worker, then the samples go in.
        runner.run(ex, () -> {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO run_metadata (run_id, metric_name, step, metadata) VALUES (?, ?, ?, ?::jsonb)"
                            + " ON CONFLICT (run_id, metric_name, step) DO UPDATE SET metadata = EXCLUDED.metadata")) {
                for (Object[] row : metadata) {
                    ps.setString(1, (String) row[0]);
                    ps.setString(2, (String) row[1]);
                    ps.setLong(3, (Long) row[2]);
                    ps.setString(4, (String) row[3]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            publisher.publish(ex, sink, "http_training", HttpResponseStatus.OK, ok);
            return QueryRoutes.ANSWERED;
        });
    }

    private static String check(JsonNode m) {
        if (!m.isObject()) {
            return "expected an object";
        }
        if (!m.path("run_id").isTextual() || m.get("run_id").asText().isEmpty()) {
            return "run_id: required string";
        }
        if (!m.path("metric_name").isTextual() || m.get("metric_name").asText().isEmpty()) {
            return "metric_name: required string";
        }
        if (!m.path("value").isNumber()) {
            return "value: required number";
        }
        if (m.hasNonNull("step") && !m.get("step").canConvertToLong()) {
            return "step: must be an integer";
        }
        if (m.hasNonNull("step") && !m.get("step").isIntegralNumber()) {
            return "step: must be an integer";
        }
        return null;
    }

    private static int limit(Exchange ex) {
        return DropIn.intParam(ex, "limit", 1000, 1, 100_000);
    }

    private static long start(Exchange ex) {
        String s = ex.query("start_time");
        return s == null ? Long.MIN_VALUE : Times.parse("start_time", s, System.currentTimeMillis() * 1000);
    }

    /** The newest {@code limit} values (of one metric, or all), returned oldest first. */
    private List<Map<String, Object>> rows(SeriesScope scope, String run, String metric, int limit, long startMicros, boolean newestOnly)
            throws Exception {
        String sql = "SELECT * FROM (SELECT r.metric, s.step, s.value, s.time, m.metadata FROM " + scope.relation() + " r"
                + " JOIN samples s ON s.series_id = r.id"
                + " LEFT JOIN run_metadata m ON m.run_id = r.tags->>'run_id' AND m.metric_name = r.metric AND m.step = s.step"
                + " WHERE r.tags @> jsonb_build_object('run_id', ?::text)" + (metric != null ? " AND r.metric = ?" : "")
                + (startMicros != Long.MIN_VALUE ? " AND s.time >= ?" : "")
                + " ORDER BY s.time DESC, s.step DESC NULLS LAST LIMIT ?) x ORDER BY time, step";
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            ps.setString(p++, run);
            if (metric != null) {
                ps.setString(p++, metric);
            }
            if (startMicros != Long.MIN_VALUE) {
                ps.setTimestamp(p++, DropIn.ts(startMicros));
            }
            ps.setInt(p, newestOnly ? 1 : limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("run_id", run);
                    m.put("metric_name", rs.getString(1));
                    long step = rs.getLong(2);
                    m.put("step", rs.wasNull() ? null : step);
                    m.put("value", rs.getDouble(3));
                    m.put("time", DropIn.rfc3339(rs.getTimestamp(4)));
                    String meta = rs.getString(5);
                    m.put("metadata", meta == null ? Map.of() : DropIn.JSON.readTree(meta));
                    out.add(m);
                }
            }
        }
        return out;
    }

    private Map<String, Object> stats(SeriesScope scope, String run, String metric) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*), min(s.value), max(s.value), avg(s.value), stddev_samp(s.value), min(s.time), max(s.time)"
                        + " FROM " + scope.relation() + " r JOIN samples s ON s.series_id = r.id"
                        + " WHERE r.tags @> jsonb_build_object('run_id', ?::text) AND r.metric = ?")) {
            ps.setString(1, run);
            ps.setString(2, metric);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    throw new QueryRoutes.NotFound("no values of metric " + metric + " in run " + run);
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("metric_name", metric);
                m.put("count", rs.getLong(1));
                m.put("min_value", rs.getDouble(2));
                m.put("max_value", rs.getDouble(3));
                m.put("avg_value", rs.getDouble(4));
                double sd = rs.getDouble(5);
                m.put("std_dev", rs.wasNull() ? 0.0 : sd);
                m.put("first_time", DropIn.rfc3339(rs.getTimestamp(6)));
                m.put("last_time", DropIn.rfc3339(rs.getTimestamp(7)));
                return m;
            }
        }
    }
}
