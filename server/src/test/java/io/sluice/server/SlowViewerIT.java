package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A viewer that stops reading: bounded, told or closed, and the others never slowed. No step
 * depends on how fast this machine is: every wait is for a state (a subscription joined, samples
 * seen, a counter moved) with a generous limit.
 */
class SlowViewerIT {
    /** Samples the flood sends: 200 writes of 1,000; far more than a stalled viewer's 4 MiB queue holds. */
    static final int WRITES = 200;
    static final int PER_WRITE = 1000;
    /**
     * How far the test's own writes may run ahead of the reading viewer: ~1.5 MB of frames, well
     * inside its queue, so a reader starved of CPU by a busy machine is never taken for a slow one.
     */
    static final int AHEAD = 20_000;

    @Test
    void aStalledViewerIsCutOffWhileItsNeighbourReceivesEverything() throws Exception {
        // live_slow_timeout well past the flood, so the reader has everything while the stalled
        // viewer is still open: the stalled one never held it back, whatever the machine's load.
        try (TestServer s = TestServer.start("slow", Map.of("live_slow_timeout", "30s", "live_coalesce", "20ms"));
             WsClient slow = new WsClient(s.server.httpPort(), "/v1/live", false);
             WsClient fast = new WsClient(s.server.httpPort(), "/v1/live", true)) {
            // Two filters, so the gauge of distinct subscriptions shows when the stalled viewer (which
            // reads nothing, not even its "subscribed") has joined.
            slow.send("{\"type\":\"subscribe\",\"id\":\"a\",\"metrics\":[\"flood\",\"flood_unused\"]}");
            fast.send("{\"type\":\"subscribe\",\"id\":\"a\",\"metrics\":[\"flood\"]}");
            fast.next("subscribed");
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric("sluice_live_subscriptions") == 2);

            AtomicLong seen = new AtomicLong();
            AtomicReference<Object> trouble = new AtomicReference<>();
            Thread counter = new Thread(() -> {
                try {
                    while (seen.get() < WRITES * PER_WRITE) {
                        JsonNode m = fast.next(x -> x.path("type").asText().matches("samples|dropped"), 120_000);
                        if (m.path("type").asText().equals("dropped")) {
                            trouble.set("the reading viewer was told it missed samples: " + m);
                            return;
                        }
                        seen.addAndGet(m.get("samples").size());
                    }
                } catch (Throwable t) {
                    trouble.set(t);
                }
            }, "fast-viewer");
            counter.start();
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < PER_WRITE; i++) {
                body.append("flood,host=h").append(i % 10).append(" value=").append(i).append('\n');
            }
            for (int r = 1; r <= WRITES; r++) {
                assertThat(s.post("/write", body.toString()).statusCode()).isEqualTo(204);
                long sent = (long) r * PER_WRITE;
                await().atMost(Duration.ofSeconds(60)).until(() -> trouble.get() != null || seen.get() >= sent - AHEAD);
                assertThat(trouble.get()).isNull();
            }
            counter.join(120_000);
            assertThat(trouble.get()).isNull();
            assertThat(seen.get()).as("the reading viewer got every sample").isEqualTo((long) WRITES * PER_WRITE);
            // ...while the stalled one was still open, its backlog bounded: the oldest frames dropped and counted.
            assertThat(s.metric("sluice_live_viewers_closed_slow_total")).isZero();
            assertThat(s.metric("sluice_live_viewers")).isEqualTo(2);
            assertThat(s.metric("sluice_live_samples_dropped_total")).isPositive();

            // Unwritable past live_slow_timeout, it is closed (checked as samples come for it).
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
                s.post("/write", "flood value=1");
                return s.metric("sluice_live_viewers_closed_slow_total") >= 1;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric("sluice_live_viewers") == 1);
            // what waited for it was released, and the accounting says so
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric("sluice_live_queued_bytes") == 0);
        }
    }

    @Test
    void aViewerThatFallsBehindIsToldHowManySamplesItMissed() throws Exception {
        try (TestServer s = TestServer.start("behind", Map.of("live_slow_timeout", "60s", "live_coalesce", "20ms"));
             WsClient paused = new WsClient(s.server.httpPort(), "/v1/live", false)) {
            paused.send("{\"type\":\"subscribe\",\"id\":\"a\",\"metrics\":[\"behind\"]}");
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric("sluice_live_subscriptions") == 1);
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < PER_WRITE; i++) {
                body.append("behind,host=h").append(i % 10).append(" value=").append(i).append('\n');
            }
            for (int r = 0; r < WRITES; r++) {
                s.post("/write", body.toString());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> s.metric("sluice_live_samples_dropped_total") > 0);
            paused.resume();
            JsonNode notice = paused.next(m -> m.path("type").asText().equals("dropped"), 60_000);
            assertThat(notice.get("count").asLong()).isPositive();
            assertThat(s.metric("sluice_live_viewers")).isEqualTo(1);
        }
    }
}
