package io.sluice.server.dropin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Router;
import io.sluice.server.query.QueryRoutes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** {@code PUT/GET /v1/metrics/{name}/meta}: a metric's unit and description (the A/B answer's unit). */
public final class MetaRoutes {
    private final DataSource db;
    private final QueryRoutes runner;

    public MetaRoutes(DataSource db, QueryRoutes runner) {
        this.db = db;
        this.runner = runner;
    }

    public void register(Router router) {
        router.add(HttpMethod.PUT, "/v1/metrics/{name}/meta", Scope.WRITE, this::put);
        router.get("/v1/metrics/{name}/meta", Scope.READ, ex -> runner.run(ex, () -> get(ex.pathParam("name"))));
    }

    private void put(Exchange ex) {
        JsonNode b = DropIn.body(ex);
        for (String f : new String[] {"unit", "description"}) {
            if (b.has(f) && !b.get(f).isNull() && !b.get(f).isTextual()) {
                throw new BadRequest(f + ": must be a string");
            }
        }
        String unit = b.path("unit").isTextual() ? b.get("unit").asText() : null;
        String description = b.path("description").isTextual() ? b.get("description").asText() : null;
        String name = ex.pathParam("name");
        runner.run(ex, () -> {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO metric_meta (metric, unit, description) VALUES (?, ?, ?) ON CONFLICT (metric)"
                            + " DO UPDATE SET unit = EXCLUDED.unit, description = EXCLUDED.description, updated_at = now()")) {
                ps.setString(1, name);
                ps.setString(2, unit);
                ps.setString(3, description);
                ps.executeUpdate();
            }
            return get(name);
        });
    }

    private Object get(String name) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT unit, description FROM metric_meta WHERE metric = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new QueryRoutes.NotFound("no metadata for metric " + name);
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("metric", name);
                m.put("unit", rs.getString(1));
                m.put("description", rs.getString(2));
                return m;
            }
        }
    }
}
