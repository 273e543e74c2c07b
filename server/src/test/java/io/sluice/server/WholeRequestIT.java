package io.sluice.server;

import io.sluice.storage.db.EmbeddedDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whole requests, the ring's side: an HTTP write goes into the ring whole or not at all, so a
 * request refused for want of room leaves nothing behind that is stored later.
 */
class WholeRequestIT {
    @TempDir
    Path dir;

    @Test
    void aRequestThatFindsTooLittleRoomIsRefusedAndNothingOfItIsStoredLater() throws Exception {
        int pgPort = TestServer.freeTcpPort();
        EmbeddedDatabase db = EmbeddedDatabase.start(dir, pgPort, EmbeddedDatabase.DEFAULT_SHARED_BUFFERS);
        String url = "jdbc:postgresql://localhost:" + pgPort + "/postgres?user=postgres";
        // 64 slots of 256 samples; one writer.
        TestServer s = TestServer.start(url, db.url(), Map.of("ring_size", "64", "writers", "1",
                "http_ring_wait", "300ms", "http_ack_timeout", "1s"));
        try {
            assertThat(s.post("/write", "whole,req=warm value=1").statusCode()).isEqualTo(204);
            db.close();
            // 30 + 10 slots: in the ring, held there by the writer retrying against the stopped database.
            assertThat(s.post("/write", lines("a", 30 * 256)).statusCode()).isEqualTo(503);
            assertThat(s.post("/write", lines("a2", 10 * 256)).statusCode()).isEqualTo(503);
            // 30 slots do not fit in the 24 left. Published in pieces, 16 slots of it used to be
            // queued, and stored once the database returned, though the client saw a 503.
            HttpResponse<String> refused = s.post("/write", lines("b", 30 * 256));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("ingest buffer full", "nothing of this request was queued");

            db = EmbeddedDatabase.start(dir, pgPort, EmbeddedDatabase.DEFAULT_SHARED_BUFFERS);
            await().atMost(Duration.ofSeconds(60)).until(() -> s.metric("sluice_ring_occupancy") == 0);
            assertThat(s.post("/write", "whole,req=after value=1").statusCode()).isEqualTo(204);
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'whole' AND tags->>'req' = 'b'")).isZero();
        } finally {
            s.close();
            db.close();
        }
    }

    @Test
    void aRequestOverHalfTheRingIsA413AndStoresNothing() throws Exception {
        try (TestServer s = TestServer.start("whole_413", Map.of("ring_size", "64"))) {
            HttpResponse<String> r = s.post("/write", lines("big", 32 * 256 + 1));
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(r.body()).contains("8193 samples", "8192");
            assertThat(s.post("/write", lines("fits", 32 * 256)).statusCode()).isEqualTo(204);
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'whole' AND tags->>'req' = 'big'")).isZero();
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'whole' AND tags->>'req' = 'fits'"))
                    .isEqualTo(32 * 256);
        }
    }

    private static String lines(String req, int n) {
        StringBuilder sb = new StringBuilder(n * 24);
        for (int i = 0; i < n; i++) {
            sb.append("whole,req=").append(req).append(" value=").append(i).append('\n');
        }
        return sb.toString();
    }
}
