package io.sluice.server.dropin;

import io.sluice.server.auth.Scope;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Router;
import io.sluice.server.query.QueryRoutes;
import io.sluice.server.query.Times;
import io.sluice.storage.query.Aggregation;
import io.sluice.storage.query.Points;
import io.sluice.storage.query.Query;
import io.sluice.storage.query.QueryResult;
import io.sluice.storage.query.QueryService;
import io.sluice.storage.query.Source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard backend (README, "Drop-in APIs"): LTTB-downsampled series from the source its table names
 * ({@code metrics}, {@code metrics_1min}, {@code metrics_1hour}, {@code metrics_daily}), the latest
 * value for KPI cards, and the host and metric lists. Samples are matched by metric and tag
 * {@code host}.
 */
public final class DashboardRoutes {
    private final QueryService queries;
    private final QueryRoutes runner;

    public DashboardRoutes(QueryService queries, QueryRoutes runner) {
        this.queries = queries;
        this.runner = runner;
    }

    static String dataSource(Source s) {
        return switch (s) {
            case RAW -> "metrics";
            case M1 -> "metrics_1min";
            case H1 -> "metrics_1hour";
            case D1 -> "metrics_daily";
        };
    }

    public void register(Router router) {
        router.get("/api/metrics/{metric_name}", Scope.READ, ex -> runner.runCached(ex, () -> series(ex)));
        router.get("/api/metrics/{metric_name}/latest", Scope.READ, ex -> runner.run(ex, () -> latest(ex)));
        router.get("/api/hosts", Scope.READ, ex -> runner.run(ex, () -> Map.of("hosts", queries.tagValues(ex.scope(), "host", null, 10_000))));
        router.get("/api/metrics", Scope.READ, ex -> runner.run(ex, () -> Map.of("metrics", queries.names(ex.scope(), null, 10_000))));
    }

    private Object series(Exchange ex) throws Exception {
        String metric = ex.pathParam("metric_name");
        String start = ex.query("start") == null ? "1h" : ex.query("start");
        String host = ex.query("host");
        int points = DropIn.intParam(ex, "points", 800, 2, QueryRoutes.MAX_POINTS);
        long now = System.currentTimeMillis() * 1000;
        long from = Times.parse("start", start, now);
        if (from >= now) {
            throw new BadRequest("start: must be in the past, like 1h or 7d");
        }
        QueryResult r = queries.query(ex.scope(), new Query(metric, host == null ? Map.of() : Map.of("host", host), from, now, 0,
                points, Aggregation.AVG, null));
        // Without a host, all hosts' points in one time-ordered line, then downsampled once more.
        Points merged = merge(r.series());
        Points shown = merged.lttb(points);
        List<Map<String, Object>> data = new ArrayList<>(shown.size());
        for (int i = 0; i < shown.size(); i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("time", DropIn.rfc3339(shown.time(i)));
            p.put("value", shown.value(i));
            data.add(p);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("metric_name", metric);
        body.put("start", start);
        body.put("host", host);
        body.put("points_requested", points);
        body.put("points_returned", data.size());
        body.put("data_source", dataSource(r.source()));
        body.put("data", data);
        return body;
    }

    private static Points merge(List<QueryResult.Entry> entries) {
        if (entries.size() == 1) {
            return entries.get(0).points();
        }
        int total = 0;
        for (QueryResult.Entry e : entries) {
            total += e.points().size();
        }
        long[] t = new long[total];
        double[] v = new double[total];
        Integer[] order = new Integer[total];
        int k = 0;
        for (QueryResult.Entry e : entries) {
            for (int i = 0; i < e.points().size(); i++) {
                t[k] = e.points().time(i);
                v[k] = e.points().value(i);
                order[k] = k;
                k++;
            }
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(t[a], t[b]));
        Points p = new Points(total);
        for (Integer i : order) {
            p.add(t[i], v[i]);
        }
        return p;
    }

    private Object latest(Exchange ex) throws Exception {
        String metric = ex.pathParam("metric_name");
        String host = ex.query("host");
        QueryResult.Entry newest = null;
        for (QueryResult.Entry e : queries.latest(ex.scope(), metric, host == null ? Map.of() : Map.of("host", host))) {
            if (newest == null || e.points().time(0) > newest.points().time(0)) {
                newest = e;
            }
        }
        if (newest == null) {
            throw new QueryRoutes.NotFound("no values of " + metric + (host == null ? "" : " for host " + host));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("metric_name", metric);
        body.put("host", newest.series().tags().getOrDefault("host", host));
        body.put("time", DropIn.rfc3339(newest.points().time(0)));
        body.put("value", newest.points().value(0));
        return body;
    }
}
