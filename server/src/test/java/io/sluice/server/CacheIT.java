package io.sluice.server;

import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Query answers are cached: closed ranges for cache_timeout, the present for one second. */
class CacheIT {
    @Test
    void inProcessCacheServesClosedRangesAndKeepsThePresentFresh() throws Exception {
        try (TestServer s = TestServer.start("cache_local", Map.of())) {
            check(s, "local");
        }
    }

    @Test
    void redisCacheIsSharedThroughARealRedis() throws Exception {
        int port = TestServer.freeTcpPort();
        RedisServer redis = RedisServer.builder().port(port).setting("bind 127.0.0.1").build();
        redis.start();
        try (TestServer s = TestServer.start("cache_redis", Map.of("redis_url", "redis://127.0.0.1:" + port))) {
            check(s, "redis");
            RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
            try (var c = client.connect()) {
                assertThat(c.sync().keys("sluice:answer:*")).isNotEmpty();
                assertThat(c.sync().pttl(c.sync().keys("sluice:answer:*/v1/query*metric=cached*end*").get(0)))
                        .isGreaterThan(200_000L);
            } finally {
                client.shutdown();
            }
        } finally {
            redis.stop();
        }
    }

    private static void check(TestServer s, String store) throws Exception {
        long t = Instant.now().getEpochSecond() - 120;
        assertThat(s.post("/write?precision=s", "cached value=1 " + t).statusCode()).isEqualTo(204);
        String closed = "/v1/query?metric=cached&start=" + (t - 60) + "&end=" + (t + 30);
        String first = s.get(closed).body();
        assertThat(first).contains("[" + t * 1000 + ",1.0]");
        // A late sample inside the closed range: the cached answer stands until it expires.
        assertThat(s.post("/write?precision=s", "cached value=2 " + (t + 10)).statusCode()).isEqualTo(204);
        assertThat(s.get(closed).body()).isEqualTo(first);
        assertThat(s.metric("sluice_query_cache_total", "result", "hit", "store", store)).isPositive();

        // A range reaching the present is at most one second old.
        String present = "/v1/query?metric=cached&start=10m";
        assertThat(s.get(present).body()).contains(",2.0]");
        assertThat(s.post("/write", "cached value=3").statusCode()).isEqualTo(204);
        Thread.sleep(1100);
        assertThat(s.get(present).body()).contains(",3.0]");
    }
}
