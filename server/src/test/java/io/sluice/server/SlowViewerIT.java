package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A viewer that stops reading: bounded, told or closed, and the others never slowed. */
class SlowViewerIT {
    @Test
    void aStalledViewerIsCutOffWhileItsNeighbourReceivesEverything() throws Exception {
        try (TestServer s = TestServer.start("slow", Map.of("live_slow_timeout", "3s", "live_coalesce", "20ms"));
             WsClient slow = new WsClient(s.server.httpPort(), "/v1/live", false);
             WsClient fast = new WsClient(s.server.httpPort(), "/v1/live", true)) {
            String sub = "{\"type\":\"subscribe\",\"id\":\"a\",\"metrics\":[\"flood\"]}";
            slow.send(sub);
            fast.send(sub);
            fast.next("subscribed");
            Thread.sleep(100);

            AtomicLong seen = new AtomicLong();
            Thread counter = new Thread(() -> {
                try {
                    while (seen.get() < 200_000) {
                        JsonNode m = fast.next("samples");
                        seen.addAndGet(m.get("samples").size());
                    }
                } catch (Throwable ignored) {
                    // the assertion below reports it
                }
            });
            counter.start();
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                body.append("flood,host=h").append(i % 10).append(" value=").append(i).append('\n');
            }
            long t0 = System.nanoTime();
            for (int r = 0; r < 200; r++) {
                assertThat(s.post("/write", body.toString()).statusCode()).isEqualTo(204);
            }
            counter.join(30_000);
            assertThat(seen.get()).as("the reading viewer got every sample").isEqualTo(200_000);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));

            // The stalled one's backlog stayed bounded: its oldest batches were dropped and counted,
            // and once unwritable past the timeout it was closed.
            assertThat(s.metric("sluice_live_samples_dropped_total")).isPositive();
            s.post("/write", "flood value=1");
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                s.post("/write", "flood value=1");
                return s.metric("sluice_live_viewers_closed_slow_total") >= 1;
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> s.metric("sluice_live_viewers") == 1);
            // what waited for it was released, and the accounting says so
            await().atMost(Duration.ofSeconds(5)).until(() -> s.metric("sluice_live_queued_bytes") == 0);
        }
    }

    @Test
    void aViewerThatFallsBehindIsToldHowManySamplesItMissed() throws Exception {
        try (TestServer s = TestServer.start("behind", Map.of("live_slow_timeout", "60s", "live_coalesce", "20ms"));
             WsClient paused = new WsClient(s.server.httpPort(), "/v1/live", false)) {
            paused.send("{\"type\":\"subscribe\",\"id\":\"a\",\"metrics\":[\"behind\"]}");
            Thread.sleep(100);
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                body.append("behind,host=h").append(i % 10).append(" value=").append(i).append('\n');
            }
            for (int r = 0; r < 200; r++) {
                s.post("/write", body.toString());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> s.metric("sluice_live_samples_dropped_total") > 0);
            paused.resume();
            JsonNode notice = paused.next(m -> m.path("type").asText().equals("dropped"), 10_000);
            assertThat(notice.get("count").asLong()).isPositive();
            assertThat(s.metric("sluice_live_viewers")).isEqualTo(1);
        }
    }
}
