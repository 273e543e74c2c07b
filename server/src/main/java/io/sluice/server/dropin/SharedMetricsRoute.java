package io.sluice.server.dropin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.sluice.codec.json.JsonSampleParser;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.RouteHandler;
import io.sluice.server.http.Router;
import io.sluice.server.http.ScrapeFormat;
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
 * {@code GET /metrics}, shared by two services (README, "Drop-in APIs"): with {@code abTestName}
 * it is the A/B-test answer, otherwise the API performance monitor's last ten minutes grouped by
 * route and method; and Sluice's own metrics when the {@code Accept} header asks for the
 * Prometheus or OpenMetrics text ({@link ScrapeFormat}).
 */
public final class SharedMetricsRoute {
    private final DataSource db;
    private final QueryRoutes runner;
    private final RouteHandler exposition;

    /** @param exposition answers Sluice's own metrics, for a scraper that asks {@code /metrics} for them */
    public SharedMetricsRoute(DataSource db, QueryRoutes runner, RouteHandler exposition) {
        this.db = db;
        this.runner = runner;
        this.exposition = exposition;
    }

    public void register(Router router) {
        router.get("/metrics", Scope.READ, ex -> {
            // One path, several answers: caches must key them by Accept.
            ex.header(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT);
            if (ex.query("abTestName") != null) {
                runner.runCached(ex, () -> abTest(ex));
            } else if (ScrapeFormat.wanted(ex.request().headers().get(HttpHeaderNames.ACCEPT))) {
                // Prometheus scrapes /metrics by default.
                exposition.handle(ex);
            } else {
                runner.run(ex, () -> apiPerformance(ex.scope()));
            }
        });
    }

    private Object apiPerformance(SeriesScope scope) throws Exception {
        Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT r.tags->>'route', r.tags->>'method', r.tags->>'status', s.value, s.time FROM " + scope.relation() + " r"
                        + " JOIN samples s ON s.series_id = r.id WHERE r.metric = ? AND s.time >= now() - interval '10 minutes'"
                        + " ORDER BY s.time")) {
            ps.setString(1, JsonSampleParser.API_METRIC);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String route = rs.getString(1);
                    String method = rs.getString(2);
                    Map<String, Object> g = groups.computeIfAbsent(route + "\u0000" + method, k -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("route", route);
                        m.put("method", method);
                        m.put("timestamps", new ArrayList<String>());
                        m.put("responses", new ArrayList<Map<String, Object>>());
                        return m;
                    });
                    @SuppressWarnings("unchecked")
                    List<String> ts = (List<String>) g.get("timestamps");
                    ts.add(DropIn.rfc3339(rs.getTimestamp(5)));
                    Map<String, Object> resp = new LinkedHashMap<>();
                    resp.put("time", rs.getDouble(4));
                    String status = rs.getString(3);
                    resp.put("status", status != null && status.matches("-?\\d{1,9}") ? Integer.parseInt(status) : 0);
                    @SuppressWarnings("unchecked")
                    List<Map<String, Object>> rl = (List<Map<String, Object>>) g.get("responses");
                    rl.add(resp);
                }
            }
        }
        return Map.of("metrics", new ArrayList<>(groups.values()));
    }

    private Object abTest(Exchange ex) throws Exception {
        String test = ex.query("abTestName");
        String metric = ex.query("metricName");
        if (metric == null || metric.isEmpty()) {
            throw new BadRequest("metricName: required");
        }
        long now = System.currentTimeMillis() * 1000;
        long start = ex.query("start") == null ? now - 86_400_000_000L : Times.parse("start", ex.query("start"), now);
        long end = ex.query("end") == null ? now : Times.parse("end", ex.query("end"), now);
        if (end <= start) {
            throw new BadRequest("end: must be after start");
        }
        long granularity = ex.query("granularity") == null ? 300_000_000L
                : Times.duration("granularity", ex.query("granularity"));
        if ((end - start) / granularity > 1_000_000) {
            throw new BadRequest("granularity: too fine for the range (more than 1000000 buckets)");
        }
        int skip = DropIn.intParam(ex, "skip", 0, 0, Integer.MAX_VALUE);
        int limit = DropIn.intParam(ex, "limit", 1000, 1, 100_000);
        List<Map<String, Object>> points = new ArrayList<>();
        boolean more;
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT date_bin((? || ' seconds')::interval, s.time, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS b,"
                        + " avg(s.value), min(s.value), max(s.value) FROM " + ex.scope().relation() + " r JOIN samples s ON s.series_id = r.id"
                        + " WHERE r.metric = ? AND r.tags @> jsonb_build_object('ab_test', ?::text)"
                        + " AND s.time >= ? AND s.time < ? GROUP BY 1 ORDER BY 1 OFFSET ? LIMIT ?")) {
            ps.setString(1, Long.toString(granularity / 1_000_000L));
            ps.setString(2, metric);
            ps.setString(3, test);
            ps.setTimestamp(4, DropIn.ts(start));
            ps.setTimestamp(5, DropIn.ts(end));
            ps.setInt(6, skip);
            ps.setInt(7, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("t", rs.getTimestamp(1).toInstant().getEpochSecond());
                    p.put("a", round3(rs.getDouble(2)));
                    p.put("l", round3(rs.getDouble(3)));
                    p.put("h", round3(rs.getDouble(4)));
                    points.add(p);
                }
            }
            more = points.size() > limit;
            if (more) {
                points.remove(points.size() - 1);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("abTest", test);
        body.put("metric", metric);
        body.put("unit", unit(metric));
        body.put("skip", skip);
        body.put("limit", limit);
        body.put("count", points.size());
        body.put("isComplete", !more);
        body.put("datapoints", points);
        return body;
    }

    private String unit(String metric) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT unit FROM metric_meta WHERE metric = ?")) {
            ps.setString(1, metric);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? rs.getString(1) : "";
            }
        }
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
