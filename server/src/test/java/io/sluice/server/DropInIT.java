package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The five existing services' APIs, checked field by field against their shapes (README, "Drop-in APIs"). */
class DropInIT {
    static TestServer s;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("dropin", Map.of("batch_size", "5"));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
        return JSON.readTree(r.body());
    }

    static void fields(JsonNode n, String... names) {
        List<String> actual = new java.util.ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            actual.add(it.next());
        }
        assertThat(actual).containsExactlyInAnyOrder(names);
    }

    @Test
    void apiPerformanceMonitorGroupsTheLastTenMinutesByRouteAndMethod() throws Exception {
        try (DatagramSocket sock = new DatagramSocket()) {
            for (String d : List.of("{\"route\":\"/health\",\"method\":\"GET\",\"time\":150.2,\"status\":200}",
                    "{\"route\":\"/health\",\"method\":\"GET\",\"time\":120.5,\"status\":400}",
                    "{\"route\":\"/api/products\",\"method\":\"GET\",\"time\":10.2,\"status\":200}")) {
                byte[] b = d.getBytes(StandardCharsets.UTF_8);
                sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), s.server.udpJsonPort()));
                Thread.sleep(5);
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'api_response_time'") == 3);
        JsonNode r = ok(s.get("/metrics"));
        fields(r, "metrics");
        JsonNode health = null;
        for (JsonNode g : r.get("metrics")) {
            fields(g, "route", "method", "timestamps", "responses");
            if (g.get("route").asText().equals("/health")) {
                health = g;
            }
        }
        assertThat(r.get("metrics")).hasSize(2);
        assertThat(health.get("method").asText()).isEqualTo("GET");
        assertThat(health.get("timestamps")).hasSize(2);
        assertThat(Instant.parse(health.get("timestamps").get(0).asText())).isNotNull();
        fields(health.get("responses").get(0), "time", "status");
        assertThat(health.get("responses").get(0).get("time").asDouble()).isEqualTo(150.2);
        assertThat(health.get("responses").get(1).get("status").isInt()).isTrue();
        assertThat(health.get("responses").get(1).get("status").asInt()).isEqualTo(400);
    }

    @Test
    void trainingRunsBatchWriteReadsLatestAndStats() throws Exception {
        String run = "0b6c1f5e-2d3a-4e5f-9a8b-7c6d5e4f3a2b";
        StringBuilder body = new StringBuilder("{\"metrics\":[");
        for (int i = 0; i < 4; i++) {
            body.append(i == 0 ? "" : ",").append("{\"run_id\":\"").append(run).append("\",\"metric_name\":\"loss\",\"step\":")
                    .append(100 * (i + 1)).append(",\"value\":").append(1.0 / (i + 1)).append(",\"time\":\"")
                    .append(Instant.now().minusSeconds(60 - i).truncatedTo(ChronoUnit.SECONDS)).append("\",\"metadata\":")
                    .append(i == 3 ? "{\"lr\":0.001}" : "{}").append('}');
        }
        body.append("]}");
        JsonNode w = ok(s.post("/api/v1/metrics/batch", body.toString()));
        assertThat(w.get("count").asInt()).isEqualTo(4);
        // Acknowledged means stored: read back at once.
        JsonNode all = ok(s.get("/api/v1/runs/" + run + "/metrics?limit=10"));
        assertThat(all.get("metrics")).hasSize(4);
        JsonNode first = all.get("metrics").get(0);
        fields(first, "run_id", "metric_name", "step", "value", "time", "metadata");
        assertThat(first.get("step").asLong()).isEqualTo(100);
        JsonNode hist = ok(s.get("/api/v1/runs/" + run + "/metrics/loss?limit=2"));
        assertThat(hist.get("metrics")).hasSize(2);
        JsonNode latest = ok(s.get("/api/v1/runs/" + run + "/metrics/loss/latest"));
        assertThat(latest.get("step").asLong()).isEqualTo(400);
        assertThat(latest.get("metadata").get("lr").asDouble()).isEqualTo(0.001);
        JsonNode stats = ok(s.get("/api/v1/runs/" + run + "/metrics/loss/stats"));
        fields(stats, "metric_name", "count", "min_value", "max_value", "avg_value", "std_dev", "first_time", "last_time");
        assertThat(stats.get("count").asLong()).isEqualTo(4);
        assertThat(stats.get("min_value").asDouble()).isEqualTo(0.25);
        assertThat(stats.get("max_value").asDouble()).isEqualTo(1.0);
        assertThat(stats.get("avg_value").asDouble()).isCloseTo((1 + 0.5 + 1.0 / 3 + 0.25) / 4, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(Instant.parse(stats.get("first_time").asText())).isBefore(Instant.parse(stats.get("last_time").asText()));

        assertThat(s.get("/api/v1/runs/nope/metrics/loss/latest").statusCode()).isEqualTo(404);
        assertThat(s.get("/api/v1/runs/nope/metrics/loss/stats").statusCode()).isEqualTo(404);
        assertThat(ok(s.get("/api/v1/runs/nope/metrics")).get("metrics")).isEmpty();
        HttpResponse<String> tooMany = s.post("/api/v1/metrics/batch", "{\"metrics\":[" + "{},".repeat(5) + "{}]}");
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).contains("BATCH_SIZE");
    }

    @Test
    void fleetRegistersServersOnceIngestsAndQueries() throws Exception {
        String reg = "{\"hostname\":\"server01\",\"ip_address\":\"192.168.1.10\",\"os\":\"Ubuntu 22.04\","
                + "\"labels\":{\"env\":\"prod\",\"role\":\"web\"},\"agent_version\":\"1.0.0\"}";
        HttpResponse<String> first = s.post("/api/v1/servers", reg);
        assertThat(first.statusCode()).isEqualTo(201);
        JsonNode server = JSON.readTree(first.body());
        fields(server, "id", "hostname", "ip_address", "os", "labels", "agent_version", "last_seen", "created_at", "updated_at");
        HttpResponse<String> again = s.post("/api/v1/servers", reg.replace("1.0.0", "1.1.0"));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("id").asText()).isEqualTo(server.get("id").asText());
        assertThat(JSON.readTree(again.body()).get("agent_version").asText()).isEqualTo("1.1.0");
        assertThat(ok(s.get("/api/v1/servers"))).hasSize(1);

        String id = server.get("id").asText();
        String ts = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS).toString();
        JsonNode ing = ok(s.post("/api/v1/ingest", "{\"server_id\":\"" + id + "\",\"metrics\":["
                + "{\"metric_type\":\"cpu\",\"metric_name\":\"usage\",\"value\":45.2,\"labels\":{\"core\":\"0\"},\"timestamp\":\"" + ts + "\"},"
                + "{\"metric_type\":\"ram\",\"metric_name\":\"usage_percent\",\"value\":78.5,\"labels\":{},\"timestamp\":\"" + ts + "\"}]}"));
        assertThat(ing.get("ingested").asInt()).isEqualTo(2);
        assertThat(ok(s.get("/api/v1/servers")).get(0).get("last_seen").isNull()).isFalse();

        JsonNode cpu = ok(s.get("/api/v1/metrics?server_id=" + id + "&metric_type=cpu"));
        assertThat(cpu).hasSize(1);
        fields(cpu.get(0), "server_id", "metric_type", "metric_name", "value", "labels", "timestamp");
        assertThat(cpu.get(0).get("value").asDouble()).isEqualTo(45.2);
        assertThat(cpu.get(0).get("labels").get("core").asText()).isEqualTo("0");
        assertThat(cpu.get(0).get("timestamp").asText()).isEqualTo(ts);
        String day = Instant.now().truncatedTo(ChronoUnit.DAYS).toString();
        assertThat(ok(s.get("/api/v1/metrics?server_id=" + id + "&from=" + day + "&to=" + Instant.now().plusSeconds(60)))).hasSize(2);

        // The document's walkthrough: 100 samples of cpu usage sent at once, then listed with
        // exactly this call. Every one comes back, newest first; latest=true keeps one per series.
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        StringBuilder hundred = new StringBuilder("{\"server_id\":\"" + id + "\",\"metrics\":[");
        for (int i = 1; i <= 100; i++) {
            hundred.append(i == 1 ? "" : ",").append("{\"metric_type\":\"cpu\",\"metric_name\":\"usage\",\"value\":")
                    .append(i).append(",\"labels\":{},\"timestamp\":\"").append(now).append("\"}");
        }
        assertThat(ok(s.post("/api/v1/ingest", hundred.append("]}").toString())).get("ingested").asInt()).isEqualTo(100);
        String old = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        ok(s.post("/api/v1/ingest", "{\"server_id\":\"" + id + "\",\"metrics\":[{\"metric_type\":\"cpu\","
                + "\"metric_name\":\"usage\",\"value\":-1,\"labels\":{},\"timestamp\":\"" + old + "\"}]}"));
        JsonNode listed = ok(s.get("/api/v1/metrics?server_id=" + id + "&metric_type=cpu"));
        assertThat(listed).as("the last hour: the walkthrough's 100 and the first sample, not the 2-hour-old one")
                .hasSize(101);
        assertThat(listed.get(0).get("timestamp").asText()).isEqualTo(now);
        assertThat(listed.get(100).get("timestamp").asText()).isEqualTo(ts);
        assertThat(ok(s.get("/api/v1/metrics?server_id=" + id + "&metric_type=cpu&limit=10"))).hasSize(10);
        JsonNode latestPerSeries = ok(s.get("/api/v1/metrics?server_id=" + id + "&metric_type=cpu&latest=true"));
        assertThat(latestPerSeries).hasSize(2); // {core=0} and no labels
        assertThat(latestPerSeries.get(0).get("timestamp").asText()).isEqualTo(now);
        assertThat(ok(s.get("/api/v1/metrics?server_id=" + id + "&metric_type=cpu&from=3h"))).hasSize(102);
        assertThat(s.get("/api/v1/metrics?server_id=" + id + "&limit=0").statusCode()).isEqualTo(400);
        assertThat(s.get("/api/v1/metrics?server_id=" + id + "&limit=10001").statusCode()).isEqualTo(400);
        assertThat(s.get("/api/v1/metrics?server_id=" + id + "&latest=maybe").statusCode()).isEqualTo(400);
        assertThat(s.get("/api/v1/metrics?server_id=" + id + "&latest=true&from=1h").statusCode()).isEqualTo(400);

        HttpResponse<String> unknown = s.post("/api/v1/ingest", "{\"server_id\":\"00000000-0000-4000-8000-000000000000\","
                + "\"metrics\":[{\"metric_type\":\"cpu\",\"metric_name\":\"usage\",\"value\":1}]}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("server_id");
    }

    @Test
    void abTestAnswerHasItsDocumentsShape() throws Exception {
        s.http.send(HttpRequest.newBuilder(s.uri("/v1/metrics/response_time/meta"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"unit\":\"ms\",\"description\":\"page response time\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        long base = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS).getEpochSecond();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            lines.append("response_time,ab_test=feature_a value=").append(30 + i * 10).append(' ').append(base + i).append('\n');
            lines.append("response_time,ab_test=feature_a value=").append(100 + i).append(' ').append(base + 300 + i).append('\n');
            lines.append("response_time,ab_test=feature_b value=999 ").append(base + i).append('\n');
        }
        assertThat(s.post("/write?precision=s", lines.toString()).statusCode()).isEqualTo(204);
        String q = "/metrics?abTestName=feature_a&metricName=response_time&start=" + Instant.ofEpochSecond(base)
                + "&end=" + Instant.ofEpochSecond(base + 3600) + "&granularity=5m";
        JsonNode r = ok(s.get(q + "&limit=1"));
        fields(r, "abTest", "metric", "unit", "skip", "limit", "count", "isComplete", "datapoints");
        assertThat(r.get("abTest").asText()).isEqualTo("feature_a");
        assertThat(r.get("unit").asText()).isEqualTo("ms");
        assertThat(r.get("count").asInt()).isEqualTo(1);
        assertThat(r.get("isComplete").asBoolean()).isFalse();
        JsonNode p = r.get("datapoints").get(0);
        fields(p, "t", "a", "l", "h");
        assertThat(p.get("t").asLong()).isEqualTo(base);
        assertThat(p.get("a").asDouble()).isEqualTo(40);
        assertThat(p.get("l").asDouble()).isEqualTo(30);
        assertThat(p.get("h").asDouble()).isEqualTo(50);
        JsonNode rest = ok(s.get(q + "&skip=1&limit=2"));
        assertThat(rest.get("count").asInt()).isEqualTo(1);
        assertThat(rest.get("isComplete").asBoolean()).isTrue();
        assertThat(rest.get("datapoints").get(0).get("t").asLong()).isEqualTo(base + 300);
        assertThat(s.get("/metrics?abTestName=x&metricName=y&granularity=often").statusCode()).isEqualTo(400);
        assertThat(ok(s.get("/metrics?abTestName=nobody&metricName=response_time")).get("datapoints")).isEmpty();
    }

    @Test
    void dashboardSeriesLatestHostsAndMetrics() throws Exception {
        long now = Instant.now().getEpochSecond();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            lines.append("cpu_usage,host=server-01 value=").append(i % 50).append(' ').append(now - 1800 + i).append('\n');
            lines.append("cpu_usage,host=server-02 value=7 ").append(now - 1800 + i).append('\n');
        }
        assertThat(s.post("/write?precision=s", lines.toString()).statusCode()).isEqualTo(204);
        JsonNode r = ok(s.get("/api/metrics/cpu_usage?start=45m&host=server-01&points=100"));
        fields(r, "metric_name", "start", "host", "points_requested", "points_returned", "data_source", "data");
        assertThat(r.get("data_source").asText()).isEqualTo("metrics");
        assertThat(r.get("points_requested").asInt()).isEqualTo(100);
        assertThat(r.get("points_returned").asInt()).isEqualTo(100).isEqualTo(r.get("data").size());
        fields(r.get("data").get(0), "time", "value");
        // The document's own example: start=1h answers from raw samples, so points=100 is met
        // (an hour of 1-minute buckets would give 60 at most). Past an hour, the 1-minute rollup.
        JsonNode hour = ok(s.get("/api/metrics/cpu_usage?start=1h&points=100"));
        assertThat(hour.get("data_source").asText()).isEqualTo("metrics");
        assertThat(hour.get("points_returned").asInt()).isEqualTo(100).isEqualTo(hour.get("data").size());
        assertThat(ok(s.get("/api/metrics/cpu_usage?start=61m&host=server-01")).get("data_source").asText())
                .isEqualTo("metrics_1min");
        JsonNode week = ok(s.get("/api/metrics/cpu_usage?start=7d&host=server-01&points=500"));
        assertThat(week.get("data_source").asText()).isEqualTo("metrics_1hour");
        JsonNode latest = ok(s.get("/api/metrics/cpu_usage/latest?host=server-01"));
        fields(latest, "metric_name", "host", "time", "value");
        assertThat(latest.get("value").asDouble()).isEqualTo(299 % 50);
        assertThat(s.get("/api/metrics/no_such_metric/latest").statusCode()).isEqualTo(404);
        assertThat(ok(s.get("/api/hosts")).get("hosts").toString()).contains("server-01", "server-02");
        assertThat(ok(s.get("/api/metrics")).get("metrics").toString()).contains("cpu_usage");
        assertThat(s.get("/api/metrics/cpu_usage?start=soon").statusCode()).isEqualTo(400);
    }
}
