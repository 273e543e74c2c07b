package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Live streaming over real WebSockets, for every endpoint, with samples from the real write paths. */
class LiveIT {
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("live", Map.of("live_coalesce", "20ms"));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static void udp(int port, String payload) throws Exception {
        try (DatagramSocket sock = new DatagramSocket()) {
            byte[] b = payload.getBytes(StandardCharsets.UTF_8);
            sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
        }
    }

    @Test
    void aSubscriberSeesMatchingSamplesFromHttpAndUdpAndNothingElse() throws Exception {
        try (WsClient c = new WsClient(s.server.httpPort(), "/v1/live", true)) {
            c.send("{\"type\":\"subscribe\",\"id\":\"mine\",\"metrics\":[\"live_cpu\"],\"tags\":{\"host\":\"a\"}}");
            JsonNode ack = c.next("subscribed");
            assertThat(ack.get("id").asText()).isEqualTo("mine");
            String sub = ack.get("subscription").asText();
            long t0 = System.currentTimeMillis();
            assertThat(s.post("/write", "live,host=a cpu=1.5\nlive,host=b cpu=2\nother,host=a cpu=3").statusCode())
                    .isEqualTo(204);
            udp(s.server.udpLinePort(), "live,host=a,core=0 cpu=2.5\n");
            List<JsonNode> got = new ArrayList<>();
            while (got.size() < 2) {
                JsonNode m = c.next("samples");
                assertThat(m.get("subscription").asText()).isEqualTo(sub);
                m.get("samples").forEach(got::add);
            }
            assertThat(System.currentTimeMillis() - t0).isLessThan(2_000);
            assertThat(got).extracting(n -> n.get("value").asDouble()).containsExactlyInAnyOrder(1.5, 2.5);
            for (JsonNode n : got) {
                assertThat(n.get("metric").asText()).isEqualTo("live_cpu");
                assertThat(n.get("tags").get("host").asText()).isEqualTo("a");
                assertThat(n.get("time").isNumber()).isTrue();
            }
            assertThat(c.drain(300)).noneMatch(m -> m.path("type").asText().equals("samples"));
        }
    }

    @Test
    void badMessagesAreAnsweredAndTheConnectionStaysUsable() throws Exception {
        try (WsClient c = new WsClient(s.server.httpPort(), "/v1/live", true)) {
            c.send("{not json");
            assertThat(c.next("error").get("message").asText()).startsWith("malformed JSON");
            c.send("{\"type\":\"dance\"}");
            assertThat(c.next("error").get("field").asText()).isEqualTo("type");
            c.send("{\"type\":\"subscribe\",\"id\":\"x\"}");
            assertThat(c.next("error").get("field").asText()).isEqualTo("metrics");
            c.send("{\"type\":\"subscribe\",\"id\":\"x\",\"metrics\":[\"m\"],\"every\":0}");
            assertThat(c.next("error").get("field").asText()).isEqualTo("every");
            c.send("{\"type\":\"subscribe\",\"id\":\"x\",\"metrics\":[\"m\"],\"tags\":{\"h\":{}}}");
            assertThat(c.next("error").get("field").asText()).isEqualTo("tags.h");
            c.send("{\"type\":\"unsubscribe\",\"id\":\"nope\"}");
            assertThat(c.next("error").get("field").asText()).isEqualTo("id");
            c.send("{\"type\":\"subscribe\",\"id\":\"big\",\"metrics\":[\"" + "x".repeat(70_000) + "\"]}");
            assertThat(c.next("error").get("message").asText()).contains("larger than");
            c.send("{\"type\":\"subscribe\",\"id\":\"ok\",\"metrics\":[\"after_errors\"]}");
            assertThat(c.next("subscribed").get("id").asText()).isEqualTo("ok");
            s.post("/write", "after_errors value=7");
            assertThat(c.next("samples").get("samples").get(0).get("value").asDouble()).isEqualTo(7);
            c.send("{\"type\":\"unsubscribe\",\"id\":\"ok\"}");
            c.next("unsubscribed");
            s.post("/write", "after_errors value=8");
            assertThat(c.drain(300)).noneMatch(m -> m.path("type").asText().equals("samples"));
        }
    }

    @Test
    void aSubscribeStormIsBoundedAndOtherViewersKeepReceiving() throws Exception {
        try (WsClient storm = new WsClient(s.server.httpPort(), "/v1/live", true);
             WsClient calm = new WsClient(s.server.httpPort(), "/v1/live", true)) {
            calm.send("{\"type\":\"subscribe\",\"id\":\"c\",\"metrics\":[\"calm\"]}");
            calm.next("subscribed");
            for (int i = 0; i < 200; i++) {
                storm.ws.sendText("{\"type\":\"subscribe\",\"id\":\"s" + i + "\",\"metrics\":[\"m" + i + "\"]}", true);
            }
            List<JsonNode> answers = storm.drain(1500);
            assertThat(answers).anyMatch(m -> m.path("message").asText().contains("messages a second"));
            assertThat(answers.stream().filter(m -> m.path("type").asText().equals("subscribed")).count())
                    .isLessThanOrEqualTo(100);
            s.post("/write", "calm value=1");
            assertThat(calm.next("samples").get("samples").get(0).get("value").asDouble()).isEqualTo(1);
        }
    }

    @Test
    void apiPerformanceStreamSendsEachCallAsItsDocumentShows() throws Exception {
        try (WsClient c = new WsClient(s.server.httpPort(), "/ws", true)) {
            udp(s.server.udpJsonPort(), "{\"route\":\"/api/products\",\"method\":\"GET\",\"time\":10.2,\"status\":200}");
            JsonNode m = c.next(n -> n.has("route"), WsClient.PATIENCE_MS);
            assertThat(m.get("route").asText()).isEqualTo("/api/products");
            assertThat(m.get("method").asText()).isEqualTo("GET");
            assertThat(m.get("time").asDouble()).isEqualTo(10.2);
            assertThat(m.get("status").asInt()).isEqualTo(200);
            assertThat(Instant.parse(m.get("timestamp").asText())).isNotNull();
        }
    }

    @Test
    void trainingRunStreamTakesItsSubscribeMessageAndPushesMetricMessages() throws Exception {
        String run = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
        try (WsClient c = new WsClient(s.server.httpPort(), "/ws/metrics/" + run, true)) {
            c.send("{\"type\":\"subscribe\",\"payload\":{\"run_id\":\"" + run + "\",\"metric_names\":[\"loss\"]}}");
            c.next("subscribed");
            s.post("/v1/samples", "{\"samples\":[{\"metric\":\"loss\",\"tags\":{\"run_id\":\"" + run + "\"},\"value\":0.45,\"step\":100},"
                    + "{\"metric\":\"accuracy\",\"tags\":{\"run_id\":\"" + run + "\"},\"value\":0.9,\"step\":100}]}");
            JsonNode m = c.next("metric");
            JsonNode metrics = m.get("payload").get("metrics");
            assertThat(metrics).hasSize(1);
            JsonNode one = metrics.get(0);
            assertThat(one.get("run_id").asText()).isEqualTo(run);
            assertThat(one.get("metric_name").asText()).isEqualTo("loss");
            assertThat(one.get("step").asLong()).isEqualTo(100);
            assertThat(one.get("value").asDouble()).isEqualTo(0.45);
            assertThat(Instant.parse(one.get("time").asText())).isNotNull();
        }
    }

    @Test
    void dashboardStreamFiltersByHost() throws Exception {
        try (WsClient c = new WsClient(s.server.httpPort(), "/ws/metrics/cpu_usage?host=server-01", true)) {
            s.post("/write", "cpu_usage,host=server-02 value=1\ncpu_usage,host=server-01 value=42.5");
            JsonNode m = c.next(n -> n.has("metric_name"), WsClient.PATIENCE_MS);
            assertThat(m.get("metric_name").asText()).isEqualTo("cpu_usage");
            assertThat(m.get("host").asText()).isEqualTo("server-01");
            assertThat(m.get("value").asDouble()).isEqualTo(42.5);
            assertThat(c.drain(300)).isEmpty();
        }
    }

    @Test
    void fleetStreamFiltersByServerAndMetricType() throws Exception {
        String srv1 = "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9fa0b1c2";
        String srv2 = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
        try (WsClient c = new WsClient(s.server.httpPort(), "/api/v1/stream?server_id=" + srv1 + "&metric_type=cpu", true)) {
            s.post("/write", "fleet_cpu,server_id=" + srv2 + ",metric_type=cpu,metric_name=usage value=1\n"
                    + "fleet_cpu,server_id=" + srv1 + ",metric_type=cpu,metric_name=usage value=55\n"
                    + "fleet_ram,server_id=" + srv1 + ",metric_type=ram,metric_name=used value=3");
            JsonNode m = c.next(n -> n.has("server_id"), WsClient.PATIENCE_MS);
            assertThat(m.get("server_id").asText()).isEqualTo(srv1);
            assertThat(m.get("metric_type").asText()).isEqualTo("cpu");
            assertThat(m.get("metric_name").asText()).isEqualTo("usage");
            assertThat(m.get("value").asDouble()).isEqualTo(55);
            assertThat(c.drain(300)).isEmpty();
        }
    }

    /** As {@code GET /api/v1/metrics} does: a server_id that is no UUID would silently stream nothing. */
    @Test
    void fleetStreamRefusesAServerIdThatIsNotAUuid() throws Exception {
        for (String bad : new String[] {"srv-1", "6f1c2a3b0d4e4f5a8b6c7d8e9fa0b1c2", "6F1C2A3B-0D4E-4F5A-8B6C-7D8E9FA0B1C2x", ""}) {
            HttpResponse<String> r = s.get("/api/v1/stream?server_id=" + URLEncoder.encode(bad, StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).contains("server_id: not a UUID");
        }
        CompletionException refused = assertThrows(
                CompletionException.class, () -> s.http.newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + s.server.httpPort() + "/api/v1/stream?server_id=srv-1"),
                                new WebSocket.Listener() { }).join());
        assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode()).isEqualTo(400);
    }

    @Test
    void aPlainGetOnAWebSocketPathIs426() throws Exception {
        assertThat(s.get("/v1/live").statusCode()).isEqualTo(426);
    }
}
