package io.sluice.server;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApi;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.HealthCheck;
import com.influxdb.client.domain.Ready;
import com.influxdb.client.domain.WritePrecision;
import org.influxdb.BatchOptions;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.Point;
import org.influxdb.dto.Pong;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The InfluxDB API around {@code /write}, with the real client libraries unchanged: influxdb-java
 * (1.x: ping, CREATE DATABASE, batched writes, a SELECT ... GROUP BY time) and
 * influxdb-client-java (2.x: ping, health, ready, blocking and batching writes); then the
 * InfluxQL answers Grafana's data source reads, and the refusals.
 */
class InfluxApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("influxapi", Map.of());
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static String url() {
        return "http://127.0.0.1:" + s.server.httpPort();
    }

    @Test
    void influxdbJavaPingsCreatesWritesInBatchesAndQueriesGroupByTime() throws Exception {
        try (LogCapture logs = new LogCapture(); StoredRows.JulWarnings clientLogs = new StoredRows.JulWarnings();
             InfluxDB influx = InfluxDBFactory.connect(url())) {
            Pong pong = influx.ping();
            assertThat(pong.isGood()).isTrue();
            assertThat(pong.getVersion()).isEqualTo("1.8.10");
            assertThat(influx.version()).isEqualTo("1.8.10");
            influx.query(new Query("CREATE DATABASE \"it\""));
            assertThat(influx.query(new Query("SHOW DATABASES")).getResults().get(0).getSeries().get(0).getValues())
                    .contains(List.of("it"), List.of("sluice"));
            influx.setDatabase("it");
            influx.enableBatch(BatchOptions.DEFAULTS.actions(100).flushDuration(100));
            long minute = (System.currentTimeMillis() / 60_000 - 3) * 60_000; // three whole minutes ago
            for (int i = 0; i < 120; i++) {
                influx.write(Point.measurement("ij_cpu").time(minute + i * 1000L, TimeUnit.MILLISECONDS)
                        .tag("host", i % 2 == 0 ? "a" : "b").addField("usage_user", i).build());
            }
            influx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> StoredRows.withPrefix(s.db, "ij_cpu_usage_user").size() == 120);
            QueryResult r = influx.query(new Query("SELECT mean(\"usage_user\"), count(\"usage_user\") FROM \"ij_cpu\""
                    + " WHERE time >= " + minute + "ms AND time < " + (minute + 120_000) + "ms GROUP BY time(1m), \"host\""
                    + " fill(none)", "it"), TimeUnit.MILLISECONDS);
            assertThat(r.hasError()).isFalse();
            List<QueryResult.Series> series = r.getResults().get(0).getSeries();
            assertThat(series).hasSize(2);
            QueryResult.Series a = series.get(0);
            assertThat(a.getName()).isEqualTo("ij_cpu");
            assertThat(a.getTags()).isEqualTo(Map.of("host", "a"));
            assertThat(a.getColumns()).containsExactly("time", "mean", "count");
            // host a: even i; minute one holds 0, 2, ..., 58 (mean 29), minute two 60, ..., 118 (mean 89)
            assertThat(a.getValues()).hasSize(2);
            assertThat(((Number) a.getValues().get(0).get(0)).longValue()).isEqualTo(minute);
            assertThat(((Number) a.getValues().get(0).get(1)).doubleValue()).isEqualTo(29.0);
            assertThat(((Number) a.getValues().get(0).get(2)).doubleValue()).isEqualTo(30.0);
            assertThat(((Number) a.getValues().get(1).get(1)).doubleValue()).isEqualTo(89.0);
            // No GROUP BY tag: both hosts in one series, mean of all 60 values of each minute.
            QueryResult all = influx.query(new Query("SELECT mean(usage_user) FROM ij_cpu WHERE time >= " + minute
                    + "ms AND time < " + (minute + 120_000) + "ms GROUP BY time(1m)", "it"), TimeUnit.MILLISECONDS);
            List<List<Object>> rows = all.getResults().get(0).getSeries().get(0).getValues();
            assertThat(rows).extracting(row -> ((Number) row.get(1)).doubleValue()).containsExactly(29.5, 89.5);
            influx.disableBatch();
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))).isEmpty();
            assertThat(clientLogs.messages()).isEmpty();
        }
    }

    @Test
    void influxdbClientJavaPingsChecksHealthAndReadinessAndWrites() throws Exception {
        try (LogCapture logs = new LogCapture(); StoredRows.JulWarnings clientLogs = new StoredRows.JulWarnings();
             InfluxDBClient client = InfluxDBClientFactory.create(url(), "any-token".toCharArray(), "org", "bucket")) {
            assertThat(client.ping()).isTrue();
            assertThat(client.version()).isEqualTo("1.8.10");
            HealthCheck health = client.health();
            assertThat(health.getStatus()).isEqualTo(HealthCheck.StatusEnum.PASS);
            assertThat(health.getName()).isEqualTo("sluice");
            Ready ready = client.ready();
            assertThat(ready).isNotNull();
            assertThat(ready.getStatus()).isEqualTo(Ready.StatusEnum.READY);
            WriteApiBlocking blocking = client.getWriteApiBlocking();
            blocking.writeRecord(WritePrecision.MS, "ic_blocking,host=a value=1.5 " + System.currentTimeMillis());
            try (WriteApi batching = client.makeWriteApi()) {
                for (int i = 0; i < 50; i++) {
                    batching.writeRecord(WritePrecision.NS, "ic_batch,host=b value=" + i + " "
                            + (System.currentTimeMillis() * 1_000_000L + i));
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> StoredRows.withPrefix(s.db, "ic_batch").size() == 50);
            assertThat(StoredRows.value(StoredRows.withPrefix(s.db, "ic_blocking"), "ic_blocking", Map.of("host", "a")))
                    .isEqualTo(1.5);
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))).isEmpty();
            assertThat(clientLogs.messages()).isEmpty();
        }
    }

    @Test
    void grafanasQueriesListAndChart() throws Exception {
        long now = System.currentTimeMillis();
        // Two samples in two different minutes, whatever second of its minute the test starts in.
        long minute = now - now % 60_000;
        long earlier = minute - 120_000 + 5_000;
        long later = minute - 60_000 + 5_000;
        HttpResponse<String> w = s.post("/write?precision=ms", "gf_mem,host=web-1.eu,dc=eu used=10 " + earlier
                + "\ngf_mem,host=web-2,dc=us used=30 " + earlier + "\ngf_mem,host=web-1.eu,dc=eu used=20 " + later + "\n");
        assertThat(w.statusCode()).isEqualTo(204);
        JsonNode m = query("SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)GF_/ LIMIT 100");
        assertThat(m.at("/results/0/series/0/name").asText()).isEqualTo("measurements");
        assertThat(m.at("/results/0/series/0/values").toString()).isEqualTo("[[\"gf_mem_used\"]]");
        assertThat(query("SHOW FIELD KEYS FROM \"gf_mem\"").at("/results/0/series/0/values").toString())
                .isEqualTo("[[\"used\",\"float\"]]");
        assertThat(query("SHOW TAG KEYS FROM \"gf_mem_used\"").at("/results/0/series/0/values").toString())
                .isEqualTo("[[\"dc\"],[\"host\"]]");
        assertThat(query("SHOW TAG VALUES FROM \"gf_mem_used\" WITH KEY = \"host\" WHERE \"dc\" = 'eu'")
                .at("/results/0/series/0/values").toString()).isEqualTo("[[\"host\",\"web-1.eu\"]]");
        assertThat(query("SHOW RETENTION POLICIES ON \"x\"").at("/results/0/series/0/values/0/0").asText()).isEqualTo("autogen");
        // The panel query Grafana sends, $timeFilter and $__interval filled in, a variable as a regex.
        JsonNode panel = query("SELECT max(\"used\") FROM \"autogen\".\"gf_mem\" WHERE (\"host\" =~ /^web\\-1\\.eu$/) AND "
                + "time >= " + (now - 300_000) + "ms and time <= " + now + "ms GROUP BY time(1m) fill(null)");
        JsonNode series = panel.at("/results/0/series/0");
        assertThat(series.get("columns").toString()).isEqualTo("[\"time\",\"max\"]");
        assertThat(series.get("values").size()).isBetween(5, 6); // every minute of the range, empty ones null
        List<Double> values = new java.util.ArrayList<>();
        series.get("values").forEach(row -> {
            if (!row.get(1).isNull()) {
                values.add(row.get(1).asDouble());
            }
        });
        assertThat(values).containsExactlyInAnyOrder(10.0, 20.0);
        JsonNode raw = query("SELECT * FROM gf_mem WHERE time > now() - 5m ORDER BY time DESC LIMIT 2");
        assertThat(raw.at("/results/0/series/0/columns").toString()).isEqualTo("[\"time\",\"dc\",\"host\",\"used\"]");
        assertThat(raw.at("/results/0/series/0/values/0").toString()).endsWith("\"eu\",\"web-1.eu\",20.0]");
    }

    @Test
    void statementsOutsideTheSubsetAre400WithInfluxDBsErrorShape() throws Exception {
        HttpResponse<String> r = s.get("/query?q=" + enc("SELECT percentile(used, 95) FROM gf_mem WHERE time > now() - 1h"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).startsWith("not in Sluice's InfluxQL subset")
                .contains("percentile");
        HttpResponse<String> p = s.get("/query?q=" + enc("SELEC 1"));
        assertThat(p.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(p.body()).get("error").asText()).startsWith("error parsing query: found SELEC");
        assertThat(s.get("/query").statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(s.get("/ping?verbose=true").body()).get("version").asText()).isEqualTo("1.8.10");
    }

    private static JsonNode query(String q) throws Exception {
        HttpResponse<String> r = s.get("/query?db=x&epoch=ms&q=" + enc(q));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.at("/results/0/error").isMissingNode()).as(r.body()).isTrue();
        return body;
    }

    private static String enc(String q) {
        return URLEncoder.encode(q, StandardCharsets.UTF_8);
    }
}
