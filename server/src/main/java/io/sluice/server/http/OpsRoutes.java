package io.sluice.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.server.auth.Scope;
import io.sluice.server.config.Config;
import io.sluice.storage.db.DatabaseHealth;
import io.sluice.storage.metrics.Metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/** Health, readiness, Sluice's own counters and the configuration in force (README "Operations"). */
public final class OpsRoutes {
    /** What health answers call Sluice's version. */
    public static final String VERSION = OpsRoutes.class.getPackage().getImplementationVersion() != null
            ? OpsRoutes.class.getPackage().getImplementationVersion() : "dev";
    private final Metrics metrics;
    private final DatabaseHealth health;
    private final Config config;
    private final java.time.Instant started = java.time.Instant.now();

    public OpsRoutes(Metrics metrics, DatabaseHealth health, Config config) {
        this.metrics = metrics;
        this.health = health;
        this.config = config;
    }

    public void register(Router router) {
        router.get("/-/healthy", Scope.OPEN, ex -> ex.text(HttpResponseStatus.OK, "text/plain; charset=utf-8", "Sluice is healthy.\n"));
        router.get("/-/ready", Scope.OPEN, this::ready);
        router.get("/health", Scope.OPEN, this::health);
        router.get("/ready", Scope.OPEN, this::influxReady);
        router.get("/-/metrics", Scope.READ, this::exposition);
        router.get("/-/config", Scope.ADMIN, ex -> ex.json(HttpResponseStatus.OK, Map.of("settings", config.settings())));
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
        if (health.halted() != null) {
            ex.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                    "Sluice is not ready: writes are halted until a restart: " + health.halted() + ".\n");
            return;
        }
        ex.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                "Sluice is not ready: the database does not answer"
                        + (o == null ? "" : " (since " + o.since() + ", error id " + o.errorId() + ")") + ".\n");
    }

    /**
     * The health check of the fleet monitor (README "Drop-in APIs"; its document shows no body) and of InfluxDB 2.x
     * clients, whose shape is therefore the contract: {@code name}, {@code message},
     * {@code status} ("pass" or "fail"), {@code version}, {@code checks}, plus {@code database}.
     * 200 while the database answers, else 503.
     */
    private void health(Exchange ex) {
        boolean up = health.up();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "sluice");
        body.put("message", up ? "ready for queries and writes" : health.halted() != null
                ? "writes are halted until a restart: " + health.halted() : "the database does not answer");
        body.put("status", up ? "pass" : "fail");
        body.put("version", VERSION);
        body.put("checks", java.util.List.of(Map.of("name", "database", "status", up ? "pass" : "fail")));
        body.put("database", up ? "up" : "down");
        ex.json(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    /**
     * InfluxDB 2.x's readiness, {@code {"status":"ready","started":...,"up":...}} (the v2 client's
     * {@code ready()}); while the database does not answer, 503 with {@code "status":"not ready"}.
     */
    private void influxReady(Exchange ex) {
        boolean up = health.up();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "ready" : "not ready");
        body.put("started", started.toString());
        body.put("up", goDuration(java.time.Duration.between(started, java.time.Instant.now())));
        if (!up) {
            ex.header("Retry-After", 5);
        }
        ex.json(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    /** Go's rendering of a duration ({@code 1h2m3.5s}), as InfluxDB's {@code up} field has it. */
    static String goDuration(java.time.Duration d) {
        long h = d.toHours();
        long m = d.toMinutesPart();
        double s = d.toSecondsPart() + d.toMillisPart() / 1000.0;
        String secs = s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
        return (h > 0 ? h + "h" : "") + (h > 0 || m > 0 ? m + "m" : "") + secs + "s";
    }
}
