package io.sluice.server.influx;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.sluice.codec.influxql.InfluxQLException;
import io.sluice.codec.influxql.InfluxQLParser;
import io.sluice.codec.influxql.Statement;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Router;
import io.sluice.server.query.QueryRoutes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The calls InfluxDB clients make around writing (README "InfluxDB API"): {@code /ping} and
 * {@code /query} with the InfluxQL subset. {@code /health} and {@code /ready} are Sluice's own
 * health answers, in InfluxDB 2.x's shape ({@code OpsRoutes}).
 */
final class InfluxApi {
    /** The InfluxDB version clients are told: the 1.x HTTP API Sluice follows. */
    static final String VERSION = "1.8.10";
    static final String BUILD = "Sluice";
    private static final Set<String> EPOCHS = Set.of("ns", "n", "u", "µ", "us", "ms", "s", "m", "h");

    private final QueryRoutes queries;
    private final InfluxQueries statements;

    InfluxApi(QueryRoutes queries, Duration retention) {
        this.queries = queries;
        this.statements = new InfluxQueries(queries.service(), retention);
    }

    void register(Router router) {
        router.get("/ping", Scope.OPEN, this::ping);
        router.get("/query", Scope.READ, this::query);
        // READ whatever the statement: CREATE/DROP DATABASE only remember a name (Sluice has one store).
        router.post("/query", Scope.READ, this::query);
    }

    /** 204 with the version headers (clients read the version from them); {@code verbose=true}: 200 JSON. */
    private void ping(Exchange ex) {
        versioned(ex);
        if ("true".equalsIgnoreCase(ex.query("verbose"))) {
            ex.json(HttpResponseStatus.OK, Map.of("version", VERSION));
        } else {
            ex.noContent();
        }
    }

    private void query(Exchange ex) {
        versioned(ex);
        Map<String, List<String>> params = params(ex);
        String q = first(params, "q");
        if (q == null || q.isBlank()) {
            ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", "missing required parameter \"q\"");
            return;
        }
        String epoch = first(params, "epoch");
        if (epoch != null && !EPOCHS.contains(epoch)) {
            ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", "epoch: '" + epoch + "' is not one of ns, u, ms, s, m, h");
            return;
        }
        List<Statement> parsed;
        try {
            parsed = InfluxQLParser.parse(q, System.currentTimeMillis() * 1000);
        } catch (InfluxQLException e) {
            ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", e.getMessage());
            return;
        }
        queries.run(ex, () -> {
            List<Map<String, Object>> results = new ArrayList<>(parsed.size());
            for (int i = 0; i < parsed.size(); i++) {
                results.add(statements.run(i, parsed.get(i), epoch, ex.scope()));
            }
            return Map.of("results", results);
        });
    }

    /** Query-string parameters, and for a form POST (how influxdb-java and Telegraf send) those of the body. */
    private static Map<String, List<String>> params(Exchange ex) {
        Map<String, List<String>> params = new java.util.LinkedHashMap<>(ex.queryParams());
        String type = ex.request().headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (ex.request().method().equals(HttpMethod.POST) && type != null
                && type.toLowerCase(java.util.Locale.ROOT).startsWith(HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED.toString())) {
            String body = ex.body().toString(StandardCharsets.UTF_8);
            new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters()
                    .forEach((k, v) -> params.merge(k, v, (a, b) -> {
                        List<String> all = new ArrayList<>(a);
                        all.addAll(b);
                        return all;
                    }));
        }
        return params;
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    static void versioned(Exchange ex) {
        ex.header("X-Influxdb-Version", VERSION).header("X-Influxdb-Build", BUILD);
    }
}
