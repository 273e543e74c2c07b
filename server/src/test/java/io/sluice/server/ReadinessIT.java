package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.storage.db.EmbeddedDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness follows the database: a real PostgreSQL stopped under a running Sluice, then started
 * again. Answers about it carry an error id, never the driver's or the pool's text.
 */
class ReadinessIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void readyAndHealthFlipWithinASecondOfTheDatabaseStoppingAndBackWhenItReturns() throws Exception {
        int port = TestServer.freeTcpPort();
        EmbeddedDatabase db = EmbeddedDatabase.start(dir, port, 32L << 20);
        TestServer s = TestServer.start(db.url().jdbcUrl() + "?user=postgres", db.url(), Map.of());
        try (LogCapture logs = new LogCapture()) {
            assertThat(s.get("/-/ready").statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(s.get("/health").body()).get("database").asText()).isEqualTo("up");

            db.close();
            long stopped = System.nanoTime();
            // The old probe went through the pool, whose getConnection waits its 5 s timeout when
            // the database is gone: "database up" 6 s after the stop. Now about a quarter second.
            await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50))
                    .until(() -> s.get("/-/ready").statusCode() == 503);
            System.out.printf("ready flipped %d ms after the database stopped%n", (System.nanoTime() - stopped) / 1_000_000);
            HttpResponse<String> ready = s.get("/-/ready");
            assertThat(ready.headers().firstValue("retry-after")).contains("5");
            assertThat(ready.body()).startsWith("Sluice is not ready: the database does not answer")
                    .doesNotContainIgnoringCase("hikari").doesNotContain("PSQL").doesNotContain("total=")
                    .doesNotContain("Connection");
            HttpResponse<String> health = s.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(health.body()).get("database").asText()).isEqualTo("down");
            await().atMost(Duration.ofSeconds(30)).until(() -> s.get("/-/ready").body().contains("error id"));
            String id = s.get("/-/ready").body().replaceAll("(?s).*error id ([0-9a-f]{12}).*", "$1");
            assertThat(logs.containing("database unreachable [errorId=" + id)).hasSize(1);

            // A query meanwhile: 503 with an error id, not the database's words.
            HttpResponse<String> q = s.get("/v1/query?metric=nothing&nocache=1");
            assertThat(q.statusCode()).isEqualTo(503);
            JsonNode j = JSON.readTree(q.body());
            assertThat(j.get("message").asText()).startsWith("database unavailable; retry later (error id ");
            assertThat(q.body()).doesNotContain("PSQL").doesNotContainIgnoringCase("hikari").doesNotContain("refused");

            db = EmbeddedDatabase.start(dir, port, 32L << 20);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> s.get("/-/ready").statusCode() == 200);
            assertThat(JSON.readTree(s.get("/health").body()).get("status").asText()).isEqualTo("pass");
            assertThat(logs.containing("database reachable again [errorId=" + id)).hasSize(1);
            assertThat(s.post("/write?precision=s", "back value=1 " + Instant.now().getEpochSecond()).statusCode())
                    .isEqualTo(204);
        } finally {
            s.close();
            db.close();
        }
    }
}
