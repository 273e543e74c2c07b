package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two tenants share a Sluice (README "Tenants"): each token's tenant tags are stamped on what it
 * writes, whatever the client sent, and each reads only its own series, through the native query
 * API, the drop-in APIs and the live stream. Samples with no tenant (UDP) are seen by neither.
 */
class TenantIT {
    static final String A = "tenant-a-secret-0123456789";
    static final String B = "tenant-b-secret-0123456789";
    static final String RUN = "6f1c2a3e-0000-4000-8000-0000000000aa";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        Path tokens = dir.resolve("tokens.toml");
        Files.writeString(tokens, """
                [[token]]
                name = "a"
                secret = "%s"
                scopes = ["read", "write"]
                tenant_tags = { tenant = "a" }

                [[token]]
                name = "b"
                secret = "%s"
                scopes = ["read", "write"]
                tenant_tags = { tenant = "b" }
                """.formatted(A, B));
        s = TestServer.start("tenant", Map.of("auth_tokens_file", tokens.toString()));
        long now = System.currentTimeMillis();
        // The same metric and tags from both; b also claims to be a, which its token overrides.
        for (String[] t : new String[][] {{A, "1", "ha"}, {B, "2", "hb"}}) {
            String lines = ("shared,host=common value=%s %d\nshared,host=%s value=%s %d\nshared,host=claim,tenant=a value=%s %d\n"
                    + "ab,ab_test=t value=%s %d\nfleet,server_id=6f1c2a3e-0000-4000-8000-0000000000bb,metric_type=cpu,metric_name=usage value=%s %d\n")
                    .formatted(t[1], now - 60_000, t[2], t[1], now - 50_000, t[1], now - 40_000, t[1], now - 30_000,
                            t[1], now - 20_000);
            assertThat(post("/write?precision=ms", t[0], lines).statusCode()).isEqualTo(204);
            assertThat(post("/v1/samples", t[0], "{\"samples\":[{\"metric\":\"native_" + t[1]
                    + "\",\"tags\":{\"tenant\":\"x\"},\"value\":" + t[1] + "}]}").statusCode()).isEqualTo(204);
            assertThat(post("/api/v1/metrics/batch", t[0], "{\"metrics\":[{\"run_id\":\"" + RUN
                    + "\",\"metric_name\":\"loss\",\"step\":1,\"value\":" + t[1] + "}]}").statusCode()).isIn(200, 201);
        }
        // A sample without a tenant, over UDP (which carries no token).
        try (DatagramSocket sock = new DatagramSocket()) {
            byte[] b = "{\"route\":\"/x\",\"method\":\"GET\",\"time\":5,\"status\":200}".getBytes(StandardCharsets.UTF_8);
            sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), s.server.udpJsonPort()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'api_response_time'") == 1);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static HttpResponse<String> post(String path, String token, String body) throws Exception {
        return s.http.send(HttpRequest.newBuilder(s.uri(path)).header("Authorization", "Token " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Remote write and OTLP stamp the token's tenant too (they parse outside SampleWrites): what b
     * sends claiming tenant a lands as b's, and a reads none of it.
     */
    @Test
    void remoteWriteAndOtlpAreStampedWithTheTokensTenant() throws Exception {
        long now = System.currentTimeMillis();
        byte[] rw = org.xerial.snappy.Snappy.compress(ProtocolBodies.remoteWrite(
                "rw_tenant", now, "tenant", "a"));
        HttpResponse<String> r = s.http.send(HttpRequest.newBuilder(s.uri("/api/v1/write"))
                .header("Authorization", "Token " + B).header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy").POST(HttpRequest.BodyPublishers.ofByteArray(rw))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        String otlp = """
                {"resourceMetrics":[{"resource":{"attributes":[{"key":"tenant","value":{"stringValue":"a"}}]},
                 "scopeMetrics":[{"metrics":[{"name":"otlp_tenant","gauge":{"dataPoints":[{"asDouble":1}]}}]}]}]}""";
        HttpResponse<String> o = s.http.send(HttpRequest.newBuilder(s.uri("/v1/metrics"))
                .header("Authorization", "Token " + B).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(otlp)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(o.statusCode()).as(o.body()).isEqualTo(200);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric IN ('rw_tenant', 'otlp_tenant') AND tags->>'tenant' = 'b'"))
                .isEqualTo(2);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric IN ('rw_tenant', 'otlp_tenant') AND tags->>'tenant' = 'a'"))
                .isZero();
    }

    static JsonNode get(String path, String token) throws Exception {
        HttpResponse<String> r = s.http.send(HttpRequest.newBuilder(s.uri(path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Every value of a field anywhere in the answer. */
    static List<String> all(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : n.findValues(field)) {
            out.add(v.isContainerNode() ? v.toString() : v.asText());
        }
        return out;
    }

    @Test
    void writesCarryTheTokensTenantWhateverTheClientSent() throws Exception {
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'shared' AND tags->>'tenant' = 'a'")).isEqualTo(3);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'shared' AND tags->>'tenant' = 'b'")).isEqualTo(3);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'shared' AND tags->>'host' = 'claim'"
                + " AND tags->>'tenant' = 'b' AND value = 2")).as("b's claim to be a").isEqualTo(1);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric LIKE 'native_%' AND tags->>'tenant' = 'x'")).isZero();
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'loss' AND tags->>'tenant' IN ('a', 'b')")).isEqualTo(2);
    }

    @Test
    void eachTenantReadsOnlyItsOwnSeriesThroughTheNativeApi() throws Exception {
        for (String[] t : new String[][] {{A, "a", "1", "ha", "hb"}, {B, "b", "2", "hb", "ha"}}) {
            JsonNode q = get("/v1/query?metric=shared&start=1h", t[0]);
            assertThat(all(q, "tenant")).hasSize(3).containsOnly(t[1]);
            for (JsonNode series : q.get("series")) {
                for (JsonNode p : series.get("points")) {
                    assertThat(p.get(1).asText()).isEqualTo(t[2] + ".0");
                }
            }
            // Asking for the other tenant by tag still answers with one's own.
            assertThat(all(get("/v1/query?metric=shared&start=1h&tenant=" + (t[1].equals("a") ? "b" : "a"), t[0]), "tenant"))
                    .containsOnly(t[1]);
            assertThat(all(get("/v1/series?metric=shared", t[0]), "tenant")).hasSize(3).containsOnly(t[1]);
            assertThat(all(get("/v1/names", t[0]), "names").toString()).contains("native_" + t[2])
                    .doesNotContain("native_" + (t[2].equals("1") ? "2" : "1")).doesNotContain("api_response_time");
            assertThat(get("/v1/tags/host/values?metric=shared", t[0]).get("values").toString())
                    .contains(t[3]).doesNotContain(t[4]);
            assertThat(all(get("/v1/latest?metric=shared", t[0]), "tenant")).hasSize(3).containsOnly(t[1]);
        }
    }

    @Test
    void eachTenantReadsOnlyItsOwnSeriesThroughTheDropInApis() throws Exception {
        for (String[] t : new String[][] {{A, "a", "1", "ha", "hb"}, {B, "b", "2", "hb", "ha"}}) {
            assertThat(all(get("/api/metrics/shared?start=1h&host=common", t[0]), "value")).isNotEmpty().containsOnly(t[2] + ".0");
            assertThat(get("/api/hosts", t[0]).toString()).contains(t[3]).doesNotContain(t[4]);
            assertThat(get("/api/metrics", t[0]).toString()).contains("native_" + t[2]).doesNotContain("api_response_time");
            assertThat(all(get("/api/v1/runs/" + RUN + "/metrics", t[0]), "value")).containsExactly(t[2] + ".0");
            assertThat(all(get("/metrics?abTestName=t&metricName=ab&granularity=1m&start=1h", t[0]), "a"))
                    .isNotEmpty().containsOnly(t[2] + ".0");
            assertThat(all(get("/api/v1/metrics?server_id=6f1c2a3e-0000-4000-8000-0000000000bb", t[0]), "value")).containsExactly(t[2] + ".0");
            assertThat(get("/metrics", t[0]).get("metrics")).as("API performance events, sent with no tenant").isEmpty();
        }
    }

    @Test
    void aTenantsLiveStreamCarriesOnlyItsOwnSamples() throws Exception {
        try (WsClient ws = new WsClient(HttpClient.newHttpClient(),
                URI.create("ws://127.0.0.1:" + s.server.httpPort() + "/v1/live?token=" + A), true)) {
            ws.send("{\"type\":\"subscribe\",\"id\":\"all\",\"metrics\":[\"live\"]}");
            ws.next("subscribed");
            ws.send("{\"type\":\"subscribe\",\"id\":\"theirs\",\"metrics\":[\"live\"],\"tags\":{\"tenant\":\"b\"}}");
            ws.next("subscribed");
            assertThat(post("/write", B, "live,host=x value=2\n").statusCode()).isEqualTo(204);
            assertThat(post("/write", A, "live,host=x value=1\n").statusCode()).isEqualTo(204);
            JsonNode first = ws.next("samples");
            assertThat(first.toString()).contains("\"tenant\":\"a\"").doesNotContain("\"tenant\":\"b\"");
            for (JsonNode m : ws.drain(500)) {
                assertThat(m.toString()).doesNotContain("\"tenant\":\"b\"");
            }
        }
    }
}
