package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two Sluice nodes, one PostgreSQL, one real Redis: every viewer sees every sample exactly once. */
class TwoNodesIT {
    @Test
    void viewersOnEitherNodeSeeWritesToBothExactlyOnceAndRedisLossStaysLocal() throws Exception {
        int redisPort = TestServer.freeTcpPort();
        RedisServer redis = RedisServer.builder().port(redisPort).setting("bind 127.0.0.1").build();
        redis.start();
        DatabaseUrl db = TestDatabase.fresh("two_nodes");
        String jdbc = db.jdbcUrl() + "?user=postgres";
        Map<String, String> settings = Map.of("redis_url", "redis://127.0.0.1:" + redisPort, "live_coalesce", "20ms");
        try (TestServer a = TestServer.start(jdbc, db, settings);
             TestServer b = TestServer.start(jdbc, db, settings);
             WsClient onA = new WsClient(a.server.httpPort(), "/v1/live", true);
             WsClient onB = new WsClient(b.server.httpPort(), "/v1/live", true)) {
            String sub = "{\"type\":\"subscribe\",\"id\":\"x\",\"metrics\":[\"xnode\"]}";
            onA.send(sub);
            onB.send(sub);
            onA.next("subscribed");
            onB.next("subscribed");
            StringBuilder toA = new StringBuilder();
            StringBuilder toB = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                toA.append("xnode,host=a value=").append(i).append('\n');
                toB.append("xnode,host=b value=").append(100 + i).append('\n');
            }
            assertThat(a.post("/write", toA.toString()).statusCode()).isEqualTo(204);
            assertThat(b.post("/write", toB.toString()).statusCode()).isEqualTo(204);
            for (WsClient viewer : List.of(onA, onB)) {
                List<Double> values = values(viewer, 200, 5_000);
                assertThat(values).hasSize(200).doesNotHaveDuplicates();
                assertThat(values(viewer, 1, 500)).as("nothing delivered twice").isEmpty();
            }
            assertThat(a.metric("sluice_live_cross_node_messages_total", "direction", "in")).isPositive();
            assertThat(a.metric("sluice_redis_up")).isEqualTo(1);

            redis.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.metric("sluice_redis_up") == 0);
            assertThat(a.post("/write", "xnode,host=a value=1000").statusCode()).isEqualTo(204);
            assertThat(values(onA, 1, 3_000)).containsExactly(1000.0);
            assertThat(values(onB, 1, 500)).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> a.metric("sluice_live_cross_node_errors_total") > 0);
        } finally {
            if (redis.isActive()) {
                redis.stop();
            }
        }
    }

    /** Sample values from "samples" messages until {@code n} arrived or the time is up. */
    private static List<Double> values(WsClient c, int n, long ms) throws InterruptedException {
        List<Double> out = new ArrayList<>();
        long end = System.currentTimeMillis() + ms;
        while (out.size() < n && System.currentTimeMillis() < end) {
            JsonNode m = c.messages.poll(Math.max(1, end - System.currentTimeMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (m != null && m.path("type").asText().equals("samples")) {
                m.get("samples").forEach(s -> out.add(s.get("value").asDouble()));
            }
        }
        return out;
    }
}
