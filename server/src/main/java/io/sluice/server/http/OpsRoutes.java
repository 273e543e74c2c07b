package io.sluice.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.server.config.Config;
import io.sluice.storage.db.DatabaseHealth;
import io.sluice.storage.metrics.Metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/** Health, readiness, Sluice's own counters and the configuration in force (README "Operations"). */
public final class OpsRoutes {
    private final Metrics metrics;
    private final DatabaseHealth health;
    private final Config config;

    public OpsRoutes(Metrics metrics, DatabaseHealth health, Config config) {
        this.metrics = metrics;
        this.health = health;
        this.config = config;
    }

    public void register(Router router) {
        router.get("/-/healthy", ex -> ex.text(HttpResponseStatus.OK, "text/plain; charset=utf-8", "Sluice is healthy.\n"));
        router.get("/-/ready", this::ready);
        router.get("/health", this::health);
        router.get("/-/metrics", this::exposition);
        router.get("/-/config", ex -> ex.json(HttpResponseStatus.OK, Map.of("settings", config.settings())));
    }

    /** Sluice's own metrics in the Prometheus text format; also {@code /metrics} when a scraper asks. */
    public void exposition(Exchange ex) {
        ex.text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
    }

    /** Whether the database answers now; down, the outage's error id, never the database's text. */
    private void ready(Exchange ex) {
        if (health.up()) {
            ex.text(HttpResponseStatus.OK, "text/plain; charset=utf-8", "Sluice is ready.\n");
            return;
        }
        DatabaseHealth.Outage o = health.outage();
        ex.header("Retry-After", 5);
        ex.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                "Sluice is not ready: the database does not answer"
                        + (o == null ? "" : " (since " + o.since() + ", error id " + o.errorId() + ")") + ".\n");
    }

    /** The fleet monitor's health check (README, "Drop-in APIs"): 200 while the database answers. */
    private void health(Exchange ex) {
        boolean up = health.up();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "healthy" : "unhealthy");
        body.put("database", up ? "up" : "down");
        ex.json(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }
}
